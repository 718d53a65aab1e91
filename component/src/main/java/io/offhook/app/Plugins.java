package io.offhook.app;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The class loader for {@code plugins.dir}: the jars there with presence mappings of the operator's own. Jars that
 * are already on the class path are left out (the distribution's launcher puts all of {@code lib/}, the default
 * plugins folder, on it), so nothing is loaded twice. Shared by the start ({@link Services}) and
 * {@code check-config}, which must find the same mapping.
 */
final class Plugins {
    private Plugins() {
    }

    /**
     * The loader to find presence mappings with: {@code parent} itself when {@code dir} is unset, missing or holds no
     * jar that is not on the class path already.
     *
     * @throws IOException naming {@code plugins.dir} when the folder cannot be listed
     */
    static ClassLoader loader(Optional<Path> dir, ClassLoader parent) throws IOException {
        List<URL> jars = jars(dir);
        return jars.isEmpty() ? parent : new URLClassLoader(jars.toArray(new URL[0]), parent);
    }

    /** The jars of {@code dir} not on the class path, sorted by name; empty when {@code dir} is unset or missing. */
    static List<URL> jars(Optional<Path> dir) throws IOException {
        return jars(dir, System.getProperty("java.class.path", ""));
    }

    /** {@link #jars(Optional)} with the class path given ({@code java.class.path} syntax). */
    static List<URL> jars(Optional<Path> dir, String classPath) throws IOException {
        if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
            return List.of();
        }
        Set<Path> onClassPath = new HashSet<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                onClassPath.add(realPath(Path.of(entry)));
            }
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir.get(), "*.jar")) {
            for (Path jar : list) {
                if (!onClassPath.contains(realPath(jar))) {
                    found.add(jar);
                }
            }
        } catch (IOException e) {
            throw new IOException("plugins.dir: cannot list " + dir.get() + ": " + e.getMessage(), e);
        }
        found.sort(null);
        List<URL> urls = new ArrayList<>();
        for (Path jar : found) {
            urls.add(jar.toUri().toURL());
        }
        return urls;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
