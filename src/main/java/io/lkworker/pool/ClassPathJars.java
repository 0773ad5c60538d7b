package io.lkworker.pool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Class-data sharing refuses class paths with non-empty directories ("Cannot have non-empty
 * directory in paths"), which is what a development build or a test run has ({@code target/classes}).
 * This packs such directories into jars in the cache directory, named by a hash of their contents'
 * paths, sizes and mtimes, so an unchanged build reuses its jar. Production (lk-worker as a jar) never
 * needs it.
 */
final class ClassPathJars {

    private ClassPathJars() {
    }

    static List<String> jarDirectories(List<String> classPath, Path cacheDir) throws IOException {
        List<String> result = new ArrayList<>(classPath.size());
        for (String entry : classPath) {
            Path p = Path.of(entry);
            result.add(Files.isDirectory(p) ? pack(p, cacheDir).toString() : entry);
        }
        return result;
    }

    private static Path pack(Path dir, Path cacheDir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        MessageDigest digest = sha256();
        digest.update(dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        for (Path f : files) {
            digest.update((dir.relativize(f) + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        Path jar = cacheDir.resolve("classes-" + HexFormat.of().formatHex(digest.digest()).substring(0, 24) + ".jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        io.lkworker.ipc.TrustedDirectory.ensure(cacheDir); // children load these jars
        Path tmp = Files.createTempFile(cacheDir, "classes-", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jarOut = new JarOutputStream(out)) {
            for (Path f : files) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                JarEntry entry = new JarEntry(name);
                entry.setTime(Files.getLastModifiedTime(f).toMillis());
                jarOut.putNextEntry(entry);
                Files.copy(f, jarOut);
                jarOut.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return jar;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
