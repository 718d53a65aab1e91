package io.offhook.config;

import java.util.List;

/** Everything wrong with a config file, one problem a line, each naming the file, line and key. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, one per entry. */
    public List<String> problems() {
        return problems;
    }
}
