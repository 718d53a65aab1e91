package io.offhook.fallback;

import java.util.List;

/**
 * The credentials file cannot be used: every problem found, each naming the file and line. No message ever holds a
 * password or any part of a line that might be one.
 */
public final class CredentialsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The problems; not serialised with the exception (it never leaves the process). */
    private final transient List<String> problems;

    public CredentialsException(List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        this.problems = List.copyOf(problems);
        if (this.problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
    }

    /** Every problem, {@code FILE:LINE: what is wrong}. */
    public List<String> problems() {
        return problems;
    }
}
