package io.offhook.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target for the mapping file (which SIP user is shown as which JID; edited while Offhook runs). Run as a
 * regression test on every build (seeds: {@code etc/users.map}, the mapping fixtures and the inputs under
 * {@code MappingFileFuzzTestInputs/}); fuzzed by {@code scripts/fuzz mapping}.
 */
class MappingFileFuzzTest {
    private static final NumberPlan GERMANY = NumberPlan.of("49", "0", "00");

    static Stream<byte[]> examples() {
        List<byte[]> seeds = new ArrayList<>();
        try {
            seeds.add(Files.readAllBytes(Path.of("../etc/users.map")));
            for (String name : List.of("all-kinds.map", "broken.map")) {
                try (InputStream in = MappingFileFuzzTest.class.getResourceAsStream("/mapping/" + name)) {
                    seeds.add(in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return seeds.stream();
    }

    /**
     * Any bytes: a map or a {@link MappingException}, nothing else; every problem names the file and a line the
     * file has (0 only for the file as a whole), at most {@link MappingFile#MAX_PROBLEMS} are kept and the rest
     * counted; the bytes and their decoded text give the same answer; a map holds no more entries than lines.
     */
    @MethodSource("examples")
    @FuzzTest(maxDuration = "20s")
    void parseAnyBytes(byte[] content) {
        NumberPlan plan = content.length > 0 && (content[0] & 1) == 1 ? NumberPlan.NONE : GERMANY;
        String decoded = new String(content, StandardCharsets.UTF_8);
        long lines = decoded.lines().count();
        String fromBytes = outcome(() -> MappingFile.parse(content, "fuzz.map", plan), lines);
        if (!fromBytes.startsWith("not UTF-8")) {
            assertEquals(fromBytes, outcome(() -> MappingFile.parse(new StringReader(decoded), "fuzz.map", plan),
                    lines), "bytes and text differ");
        }
    }

    private interface Parse {
        IdentityMap run() throws MappingException;
    }

    /** What parsing gave, as comparable text, after checking it. */
    private static String outcome(Parse parse, long lines) {
        try {
            IdentityMap map = parse.run();
            assertTrue(map.size() <= lines, map.size() + " entries from " + lines + " lines");
            return "map " + map;
        } catch (MappingException e) {
            assertFalse(e.problems().isEmpty());
            assertTrue(e.problems().size() <= MappingFile.MAX_PROBLEMS);
            assertTrue(e.notShown() >= 0);
            for (MappingException.Problem p : e.problems()) {
                assertEquals("fuzz.map", p.source());
                assertTrue(p.line() >= 0 && p.line() <= Math.max(lines, 1), "line " + p.line() + " of " + lines
                        + ": " + p);
                assertTrue(p.otherLine() >= 0 && p.otherLine() < Math.max(p.line(), 1), "other line " + p);
                assertTrue(p.toString().startsWith(p.line() > 0 ? "fuzz.map:" + p.line() + ": " : "fuzz.map: "),
                        p.toString());
                assertTrue(p.text().length() <= MappingException.Problem.MAX_TEXT + 3, "excerpt too long");
            }
            if (e.problems().get(0).what().startsWith("not UTF-8")) {
                return "not UTF-8";
            }
            return "problems " + e.problems() + " and " + e.notShown() + " more";
        }
    }
}
