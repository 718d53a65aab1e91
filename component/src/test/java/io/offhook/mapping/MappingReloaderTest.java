package io.offhook.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading without a restart: edits, editors that rename a new file over the old, broken edits, deletion. */
class MappingReloaderTest {
    private static final String ALICE = "sip:alice@pbx.example.net = alice@example.com\n";
    private static final String BOB = "sip:bob@pbx.example.net = bob@example.com\n";

    @TempDir
    Path dir;
    private Path file;
    private ScheduledThreadPoolExecutor scheduler;
    private final List<IdentityMap> changes = new ArrayList<>();
    private MappingReloader reloader;

    @BeforeEach
    void setUp() throws IOException {
        file = dir.resolve("users.map");
        write(file, ALICE);
        scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
        reloader = new MappingReloader(file, NumberPlan.NONE, changes::add, scheduler, Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        reloader.close();
        scheduler.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static void write(Path path, String text) throws IOException {
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }

    /** Two polls: a change is acted on once two polls in a row saw it. */
    private void settle() {
        reloader.pollOnce();
        reloader.pollOnce();
    }

    private boolean maps(String aor) {
        return reloader.current().find(aor).isPresent();
    }

    @Test
    void loadsAtStartAndReloadsAnEdit() throws Exception {
        IdentityMap initial = reloader.loadInitial();
        assertSame(initial, reloader.current());
        assertTrue(changes.isEmpty(), "the initial map is returned, not announced");
        reloader.pollOnce();
        assertTrue(changes.isEmpty(), "nothing changed");

        write(file, ALICE + BOB);
        reloader.pollOnce();
        assertFalse(maps("sip:bob@pbx.example.net"), "not before a second poll saw the same");
        reloader.pollOnce();
        assertTrue(maps("sip:bob@pbx.example.net"));
        assertEquals(List.of(reloader.current()), changes);
        settle();
        assertEquals(1, changes.size());
        assertEquals(new ReloadStats(2, 0, Optional.empty(), false), reloader.stats());
    }

    @Test
    void anEditorThatRenamesANewFileOverTheOldIsSeen() throws Exception {
        reloader.loadInitial();
        Path temp = dir.resolve(".users.map.swp");
        write(temp, BOB);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        settle();
        assertTrue(maps("sip:bob@pbx.example.net"));
        assertFalse(maps("sip:alice@pbx.example.net"));
        assertEquals(1, changes.size());
    }

    @Test
    void anEditThatKeepsSizeAndModificationTimeIsSeen() throws Exception {
        reloader.loadInitial();
        FileTime before = Files.getLastModifiedTime(file);
        write(file, ALICE.replace("alice@example.com", "alina@example.com"));
        Files.setLastModifiedTime(file, before);
        settle();
        assertEquals("alina@example.com",
                reloader.current().find("sip:alice@pbx.example.net").orElseThrow().jid().toBareJID());
    }

    @Test
    void touchingTheFileReloadsNothing() throws Exception {
        reloader.loadInitial();
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 60_000));
        settle();
        assertTrue(changes.isEmpty());
        assertEquals(1, reloader.stats().loads());
    }

    @Test
    void aBrokenEditKeepsTheLastGoodMapAndNamesTheLine() throws Exception {
        IdentityMap good = reloader.loadInitial();
        write(file, ALICE + "# two\nsip:bob@pbx.example.net = bob@example.com mode=loud\n");
        settle();
        settle();
        assertSame(good, reloader.current());
        assertTrue(changes.isEmpty());
        ReloadStats stats = reloader.stats();
        assertEquals(1, stats.failures(), "counted once, not on every poll");
        assertTrue(stats.failing());
        assertTrue(stats.lastError().orElseThrow().startsWith(file + ":3: unknown presentation mode 'loud'"),
                stats.lastError().orElseThrow());

        write(file, ALICE + BOB);
        settle();
        assertTrue(maps("sip:bob@pbx.example.net"));
        stats = reloader.stats();
        assertEquals(2, stats.loads());
        assertFalse(stats.failing());
        assertTrue(stats.lastError().isPresent(), "the last error stays visible");
    }

    @Test
    void aDeletedFileKeepsTheLastGoodMapUntilItIsBack() throws Exception {
        IdentityMap good = reloader.loadInitial();
        Files.delete(file);
        settle();
        settle();
        assertSame(good, reloader.current());
        assertEquals(new ReloadStats(1, 1, Optional.of(file + ": file is missing"), true), reloader.stats());

        write(file, BOB);
        settle();
        assertTrue(maps("sip:bob@pbx.example.net"));
        assertFalse(reloader.stats().failing());
        assertEquals(1, changes.size());
    }

    @Test
    void aFileCaughtHalfWrittenIsNotLoaded() throws Exception {
        reloader.loadInitial();
        write(file, "");
        reloader.pollOnce();
        write(file, ALICE + BOB);
        reloader.pollOnce();
        assertTrue(maps("sip:alice@pbx.example.net"), "the empty file was seen once only: not loaded");
        reloader.pollOnce();
        assertEquals(1, changes.size());
        assertTrue(changes.get(0).find("sip:bob@pbx.example.net").isPresent());
        assertEquals(0, reloader.stats().failures());
    }

    @Test
    void aFileThatIsNotUtf8IsABrokenEdit() throws Exception {
        IdentityMap good = reloader.loadInitial();
        Files.write(file, (ALICE + "sip:jörg@pbx.example.net = jorg@example.com\n").getBytes(StandardCharsets.ISO_8859_1));
        settle();
        assertSame(good, reloader.current());
        assertTrue(reloader.stats().lastError().orElseThrow().startsWith(file + ":2: not UTF-8"));
    }

    @Test
    void aConsumerThatThrowsDoesNotStopReloading() throws Exception {
        MappingReloader failing = new MappingReloader(file, NumberPlan.NONE, m -> {
            throw new IllegalStateException("consumer bug");
        }, scheduler, Duration.ofHours(1));
        failing.loadInitial();
        write(file, BOB);
        failing.pollOnce();
        failing.pollOnce();
        assertTrue(failing.current().find("sip:bob@pbx.example.net").isPresent());
        write(file, ALICE);
        failing.pollOnce();
        failing.pollOnce();
        assertTrue(failing.current().find("sip:alice@pbx.example.net").isPresent());
        failing.close();
    }

    @Test
    void aBrokenFileAtStartIsAStartUpError() throws IOException {
        write(file, "sip:alice@pbx.example.net alice@example.com\n");
        MappingException e = assertThrows(MappingException.class, reloader::loadInitial);
        assertTrue(e.getMessage().startsWith(file + ":1: missing '='"), e.getMessage());
        Files.delete(file);
        IOException missing = assertThrows(IOException.class, reloader::loadInitial);
        assertEquals("mapping file " + file + " does not exist", missing.getMessage());
        assertThrows(IllegalStateException.class, reloader::start, "no watching without a first good load");
    }

    @Test
    void startPollsOnTheSchedulerAndCloseStops() throws Exception {
        // Started twice, scheduled once (a long interval, so the task is always waiting in the queue to be seen).
        MappingReloader slow = new MappingReloader(file, NumberPlan.NONE, map -> { }, scheduler, Duration.ofHours(1));
        slow.loadInitial();
        slow.start();
        slow.start();
        assertEquals(1, scheduler.getQueue().size(), "started once");
        slow.close();
        assertTrue(scheduler.getQueue().isEmpty(), "close cancels the poll");

        BlockingQueue<IdentityMap> seen = new ArrayBlockingQueue<>(16);
        MappingReloader polling = new MappingReloader(file, NumberPlan.NONE, seen::add, scheduler,
                Duration.ofMillis(10));
        try {
            polling.loadInitial();
            polling.start();
            Path temp = dir.resolve("users.map.new");
            write(temp, ALICE + BOB);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            IdentityMap reloaded = seen.poll(10, TimeUnit.SECONDS);
            assertTrue(reloaded != null && reloaded.find("sip:bob@pbx.example.net").isPresent());
        } finally {
            polling.close();
        }
        assertTrue(scheduler.getQueue().isEmpty(), "close cancels the poll");
        assertThrows(IllegalStateException.class, polling::start);
    }

    @Test
    void theIntervalMustBePositive() {
        assertThrows(IllegalArgumentException.class,
                () -> new MappingReloader(file, NumberPlan.NONE, m -> { }, scheduler, Duration.ZERO));
        assertEquals(Duration.ofSeconds(2), MappingReloader.DEFAULT_POLL_INTERVAL);
    }

    @Test
    void reloadNowLoadsAtOnceAndThePollsDoNotLoadItAgain() throws Exception {
        reloader.loadInitial();
        write(file, ALICE + BOB);
        IdentityMap now = reloader.reloadNow();
        assertSame(now, reloader.current());
        assertEquals(List.of(now), changes, "handed over at once, without waiting for two polls");
        assertTrue(maps("sip:bob@pbx.example.net"));
        settle();
        assertEquals(1, changes.size(), "the polls saw nothing new");
        reloader.reloadNow();
        assertEquals(2, changes.size(), "an unchanged file is loaded when asked");
        assertEquals(3, reloader.stats().loads());
    }

    @Test
    void reloadNowOfABrokenFileKeepsTheLastGoodMapAndNamesTheLine() throws Exception {
        IdentityMap good = reloader.loadInitial();
        write(file, ALICE + "sip:bob@pbx.example.net = bob@example.com mode=loud\n");
        MappingException e = assertThrows(MappingException.class, reloader::reloadNow);
        assertTrue(e.getMessage().contains("users.map:2:"), e.getMessage());
        assertSame(good, reloader.current());
        assertEquals(1, reloader.stats().failures());
        assertTrue(reloader.stats().failing());
        settle();
        assertEquals(1, reloader.stats().failures(), "the polls do not report the same problem again");

        Files.delete(file);
        IOException missing = assertThrows(IOException.class, reloader::reloadNow);
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        settle();
        assertEquals(2, reloader.stats().failures());
        assertTrue(changes.isEmpty());
    }

    @Test
    void reloadNowNeedsALoadedOpenReloader() throws Exception {
        assertThrows(IllegalStateException.class, reloader::reloadNow);
        reloader.loadInitial();
        reloader.close();
        assertThrows(IllegalStateException.class, reloader::reloadNow);
    }
}
