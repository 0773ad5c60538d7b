package io.lkworker.runner;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The library jars an agent jar names in its manifest {@code Class-Path} (e.g.
 * {@code Class-Path: lib/gson-2.11.0.jar lib/okhttp-4.12.0.jar}), the way an agent ships its own
 * dependencies as a directory of jars next to it. The JDK's class loader resolves them against the
 * agent jar's location; this lists the relative ones, for whoever has to move the agent jar along with
 * them (dev mode's private copies).
 */
public final class ManifestClassPath {

    private ManifestClassPath() {
    }

    /**
     * The manifest's relative entries that stay below the jar's directory, as relative paths, in order.
     * Absolute entries, URLs with a scheme and entries that climb out with {@code ..} are left out: they
     * do not move with the jar.
     */
    public static List<Path> relativeEntries(Path jar) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null) {
                return entries;
            }
            for (String entry : classPath.trim().split("\\s+")) {
                relative(entry).ifPresent(entries::add);
            }
        }
        return entries;
    }

    private static java.util.Optional<Path> relative(String entry) {
        if (entry.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            URI uri = new URI(entry);
            String path = uri.getPath();
            if (uri.isAbsolute() || path == null || path.isEmpty() || path.startsWith("/")) {
                return java.util.Optional.empty();
            }
            Path relative = Path.of(path).normalize();
            if (relative.startsWith("..") || relative.toString().isEmpty()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(relative);
        } catch (URISyntaxException e) {
            return java.util.Optional.empty(); // the JDK ignores it too
        }
    }
}
