package io.offhook.mapping;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A mapping file that cannot be used, with every problem found in it (up to {@link MappingFile#MAX_PROBLEMS}), each
 * naming its file and line: an operator fixes them all in one round instead of one per restart.
 */
public final class MappingException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * One thing wrong with a mapping file.
     *
     * @param source the file's name as the operator knows it
     * @param line the 1-based line, or 0 when the problem concerns the whole file (unreadable, too large)
     * @param otherLine the earlier line a duplicate entry conflicts with, or 0
     * @param what what is wrong, in words
     * @param text the offending text (the line without its comment), or empty
     */
    public record Problem(String source, int line, int otherLine, String what, String text) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** The longest excerpt of a line a message repeats. */
        static final int MAX_TEXT = 200;

        /** @throws IllegalArgumentException for a negative line */
        public Problem {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(text, "text");
            if (line < 0 || otherLine < 0) {
                throw new IllegalArgumentException("line numbers start at 1 (0: none), not " + line + "/" + otherLine);
            }
            if (text.length() > MAX_TEXT) {
                text = text.substring(0, MAX_TEXT) + "...";
            }
        }

        /** {@code FILE:LINE: what is wrong: the bad text}. */
        @Override
        public String toString() {
            StringBuilder out = new StringBuilder(source);
            if (line > 0) {
                out.append(':').append(line);
            }
            out.append(": ").append(what);
            if (!text.isEmpty()) {
                out.append(": ").append(text);
            }
            return out.toString();
        }
    }

    private final List<Problem> problems;
    private final int notShown;

    /**
     * @param problems at least one
     * @param notShown how many more problems were found but not kept
     */
    MappingException(List<Problem> problems, int notShown) {
        super(message(problems, notShown));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a mapping exception needs a problem");
        }
        this.problems = List.copyOf(problems);
        this.notShown = notShown;
    }

    /** A file that could not be read at all. */
    MappingException(Problem problem, Throwable cause) {
        super(problem.toString(), cause);
        this.problems = List.of(problem);
        this.notShown = 0;
    }

    /** The problems in file order (duplicates last), at most {@link MappingFile#MAX_PROBLEMS}. */
    public List<Problem> problems() {
        return problems;
    }

    /** How many problems were found beyond those in {@link #problems()}. */
    public int notShown() {
        return notShown;
    }

    /** The line of the first problem: 1-based, or 0 when it concerns the whole file. */
    public int line() {
        return problems.get(0).line();
    }

    /** The lines of all problems kept, in the order of {@link #problems()}. */
    public List<Integer> lines() {
        return problems.stream().map(Problem::line).collect(Collectors.toUnmodifiableList());
    }

    private static String message(List<Problem> problems, int notShown) {
        String all = problems.stream().map(Problem::toString).collect(Collectors.joining("\n"));
        return notShown == 0 ? all : all + "\n(and " + notShown + " more problems)";
    }
}
