package io.lkworker.dev;

import io.lkworker.runner.ManifestClassPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Private, immutable copies of the agent jar for dev mode. A build rewrites the jar in place; a job
 * process reading classes lazily from that file could see it half-written. Every generation of the
 * code therefore runs from its own copy, in a directory named by content hash (an unchanged rebuild
 * maps to the same copy, and the class-data sharing archive keyed on it stays valid).
 *
 * <p>The library jars the agent jar's manifest {@code Class-Path} names relative to it (an agent's
 * dependencies as a directory of jars, README "Writing an agent") are copied along, to the same
 * relative places, so they resolve from the copy exactly as from the original; they are part of the
 * hash.
 *
 * <p>Copies are bounded: after a reload, {@link #prune} deletes every generation but the newest two
 * that no process of ours still runs from (a job kept on old code with {@code --reload-jobs keep}
 * names its jar on its command line, and may still open classes and libraries from it).
 */
final class AgentJarCopies {

    private final Path directory;

    AgentJarCopies(Path directory) {
        this.directory = directory;
    }

    /** Copies {@code jar} and its Class-Path libraries (if this content is not there yet); returns the jar's copy. */
    Path copy(Path jar) throws IOException {
        Files.createDirectories(directory);
        Path incoming = Files.createTempDirectory(directory, "incoming-");
        try {
            MessageDigest digest = sha256();
            String fileName = jar.getFileName().toString();
            Path copiedJar = incoming.resolve(fileName);
            copyHashing(jar, copiedJar, digest);
            // the entries of the copy, not of the original: the build may be rewriting that one
            for (Path lib : ManifestClassPath.relativeEntries(copiedJar)) {
                Path source = jar.toAbsolutePath().getParent().resolve(lib);
                if (!Files.isRegularFile(source)) {
                    continue; // the JDK skips a missing entry too
                }
                digest.update(lib.toString().getBytes(StandardCharsets.UTF_8));
                Path target = incoming.resolve(lib);
                Files.createDirectories(target.getParent());
                copyHashing(source, target, digest);
            }
            String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            Path generation = directory.resolve(fileName.replaceAll("\\.jar$", "") + "-" + hash);
            if (Files.isDirectory(generation)) {
                deleteRecursively(incoming);
            } else {
                try {
                    Files.move(incoming, generation, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    deleteRecursively(incoming);
                }
            }
            return generation.resolve(fileName);
        } catch (IOException | RuntimeException e) {
            try {
                deleteRecursively(incoming);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Deletes the generations other than {@code current} and the one used before it, except those a
     * live descendant process names on its command line.
     */
    void prune(Path current, Path previous) throws IOException {
        Set<Path> keep = new HashSet<>();
        keep.add(current.toAbsolutePath().getParent());
        if (previous != null) {
            keep.add(previous.toAbsolutePath().getParent());
        }
        List<String> arguments = ProcessHandle.current().descendants()
                .flatMap(p -> p.info().arguments().stream().flatMap(Arrays::stream)).toList();
        List<Path> generations;
        try (Stream<Path> list = Files.list(directory)) {
            generations = list.filter(Files::isDirectory).map(Path::toAbsolutePath)
                    .filter(g -> !g.getFileName().toString().startsWith("incoming-")).toList();
        }
        for (Path generation : generations) {
            String prefix = generation + "/";
            if (!keep.contains(generation) && arguments.stream().noneMatch(a -> a.startsWith(prefix))) {
                deleteRecursively(generation);
            }
        }
    }

    private static void copyHashing(Path source, Path target, MessageDigest digest) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
