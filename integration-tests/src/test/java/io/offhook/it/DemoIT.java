package io.offhook.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo ({@code scripts/demo}) at the tests' pace: it must run to its end, which means bob saw every
 * scene's exact sequence of presence and carol nothing, and it must stop everything it started.
 */
class DemoIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void theDemoRunsToItsEndAndStopsWhatItStarted() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Demo demo = new Demo(out, work, Demo.Pace.FAST);
        int status = demo.run();
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, output);
        assertTrue(output.contains("bob sees alice@offhook.demo/phone"), output);
        assertTrue(output.contains("\"On the phone (on hold)\""), output);
        assertTrue(output.contains("bob sees olivia@offhook.demo/laptop"), output);
        assertTrue(output.contains("bob sees gina@phone.offhook.demo"), output);
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive),
                "the demo left processes running: " + ProcessHandle.current().children().toList());
    }
}
