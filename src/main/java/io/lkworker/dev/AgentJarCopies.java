package io.lkworker.dev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Private, immutable copies of the agent jar for dev mode. A build rewrites the jar in place; a job
 * process reading classes lazily from that file could see it half-written. Every generation of the
 * code therefore runs from its own copy, named by content hash (an unchanged rebuild maps to the same
 * copy, and the class-data sharing archive keyed on it stays valid).
 */
final class AgentJarCopies {

    private final Path directory;

    AgentJarCopies(Path directory) {
        this.directory = directory;
    }

    /** Copies {@code jar} (if this content is not there yet) and returns the copy. */
    Path copy(Path jar) throws IOException {
        Files.createDirectories(directory);
        Path tmp = Files.createTempFile(directory, "incoming-", ".jar");
        String hash;
        try (InputStream in = new DigestInputStream(Files.newInputStream(jar), sha256())) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            hash = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()).substring(0, 16);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        String name = jar.getFileName().toString().replaceAll("\\.jar$", "");
        Path target = directory.resolve(name + "-" + hash + ".jar");
        if (Files.exists(target)) {
            Files.delete(tmp);
        } else {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
