package io.offhook.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsTest {
    @TempDir
    Path dir;

    @Test
    void jarsAlreadyOnTheClassPathAreNotLoadedAgain() throws IOException {
        Path offhook = Files.createFile(dir.resolve("offhook.jar"));
        Path mine = Files.createFile(dir.resolve("my-mapping.jar"));
        Files.createFile(dir.resolve("notes.txt"));
        String classPath = offhook + File.pathSeparator + dir.resolve("../" + dir.getFileName() + "/other.jar");
        List<URL> jars = Plugins.jars(Optional.of(dir), classPath);
        assertEquals(List.of(mine.toUri().toURL()), jars);
    }

    @Test
    void jarsAreSortedByName() throws IOException {
        Path b = Files.createFile(dir.resolve("b.jar"));
        Path a = Files.createFile(dir.resolve("a.jar"));
        assertEquals(List.of(a.toUri().toURL(), b.toUri().toURL()), Plugins.jars(Optional.of(dir), ""));
    }

    @Test
    void noFolderOrNoNewJarMeansTheParentLoader() throws IOException {
        ClassLoader parent = getClass().getClassLoader();
        assertSame(parent, Plugins.loader(Optional.empty(), parent));
        assertSame(parent, Plugins.loader(Optional.of(dir.resolve("missing")), parent));
        assertSame(parent, Plugins.loader(Optional.of(dir), parent));
    }
}
