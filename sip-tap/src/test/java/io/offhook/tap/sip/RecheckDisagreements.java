package io.offhook.tap.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a file that the {@code sip-jainsip} fuzz target wrote in collect mode
 * ({@code -Doffhook.fuzz.disagreements=FILE}, one input per line: Base64, a tab, the differences seen then) and checks
 * every input again against the current {@link DifferentialCheck}. After a new divergence has been named, this shows
 * whether the collected inputs are all explained now, and how many inputs each divergence (or set of them) explains.
 *
 * <p>Run by {@code scripts/fuzz recheck FILE}. Exit status 0 when every input is explained (or agrees), 1 while
 * any is still unexplained (each is printed with its line number and differences), 2 for a file that cannot be read
 * or a line that is not one this target wrote.
 */
final class RecheckDisagreements {

    /** The check applied to each input; {@link DifferentialCheck#unexplained(byte[], Set)} outside tests. */
    @FunctionalInterface
    interface Check {
        List<String> unexplained(byte[] message, Set<DifferentialCheck.Divergence> explained);
    }

    /** What a file holds now: inputs by the divergences that explain them, and the lines still unexplained. */
    record Result(int inputs, Map<String, Integer> explainedBy, List<String> unexplained) {
        Result {
            explainedBy = Map.copyOf(explainedBy);
            unexplained = List.copyOf(unexplained);
        }
    }

    /** Key in {@link Result#explainedBy()} for inputs on which both readers now agree, or one of them rejects. */
    static final String AGREE = "(agree now)";

    private RecheckDisagreements() {
    }

    static Result recheck(List<String> lines, Check check) {
        Map<String, Integer> explainedBy = new TreeMap<>();
        List<String> unexplained = new ArrayList<>();
        int inputs = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            String encoded = tab < 0 ? line : line.substring(0, tab);
            byte[] input;
            try {
                input = Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": not an input in Base64 before the first tab ("
                        + e.getMessage() + "); is this a file written by -Doffhook.fuzz.disagreements?", e);
            }
            inputs++;
            Set<DifferentialCheck.Divergence> explained = EnumSet.noneOf(DifferentialCheck.Divergence.class);
            List<String> left = check.unexplained(input, explained);
            if (!left.isEmpty()) {
                unexplained.add("line " + (i + 1) + ": " + String.join(" | ", left));
            } else {
                explainedBy.merge(explained.isEmpty() ? AGREE : explained.toString(), 1, Integer::sum);
            }
        }
        return new Result(inputs, explainedBy, unexplained);
    }

    static void print(Result result, Appendable out) throws IOException {
        List<Map.Entry<String, Integer>> byCount = new ArrayList<>(result.explainedBy().entrySet());
        byCount.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Integer> e : byCount) {
            out.append(String.format("%8d  %s%n", e.getValue(), e.getKey()));
        }
        for (String line : result.unexplained()) {
            out.append("unexplained ").append(line).append(System.lineSeparator());
        }
        out.append(String.format("%d inputs: %d explained or agreeing, %d unexplained%n", result.inputs(),
                result.inputs() - result.unexplained().size(), result.unexplained().size()));
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: scripts/fuzz recheck FILE (a file written with -Doffhook.fuzz.disagreements)");
            System.exit(2);
        }
        Result result;
        try {
            result = recheck(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8),
                    DifferentialCheck::unexplained);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println(args[0] + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        print(result, System.out);
        System.exit(result.unexplained().isEmpty() ? 0 : 1);
    }
}
