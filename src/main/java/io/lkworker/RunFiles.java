package io.lkworker;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.lkworker.ipc.TrustedDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.OpenOption;
import java.util.Set;
import java.util.UUID;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The files a running daemon leaves for {@code lk-worker drain} and {@code status}:
 * <ul>
 *   <li>the pid file (just the pid and a newline, as init systems expect);
 *   <li>{@code <pid file>.json} beside it: pid, health URL, start time — how to reach the daemon;
 *   <li>{@code <pid file>.exit} written when the daemon exits: its exit code, for {@code drain --wait}.
 * </ul>
 * The pid file and its json are removed on a clean exit; the exit file stays.
 */
public final class RunFiles {

    private final Path pidFile;

    public RunFiles(Path pidFile) {
        this.pidFile = pidFile;
    }

    public Path pidFile() {
        return pidFile;
    }

    public Path infoFile() {
        return pidFile.resolveSibling(pidFile.getFileName() + ".json");
    }

    public Path exitFile() {
        return pidFile.resolveSibling(pidFile.getFileName() + ".exit");
    }

    /** Written by the daemon at start-up, once the health port is bound (-1 when disabled). */
    public void writeStarted(long pid, String healthHost, int healthPort, long startedAtMillis) throws IOException {
        Files.createDirectories(pidFile.toAbsolutePath().getParent());
        Files.deleteIfExists(exitFile());
        JsonObject info = new JsonObject();
        info.addProperty("pid", pid);
        String host = healthHost == null || healthHost.isBlank() || healthHost.equals("0.0.0.0") ? "127.0.0.1"
                : healthHost;
        info.addProperty("health_url", healthPort < 0 ? "" : "http://" + host + ":" + healthPort);
        info.addProperty("started_at_ms", startedAtMillis);
        writeAtomically(infoFile(), info.toString() + "\n");
        writeAtomically(pidFile, pid + "\n");
    }

    /** Written by the daemon as it exits; removes the pid file and its json. */
    public void writeExited(int exitCode) throws IOException {
        writeAtomically(exitFile(), exitCode + "\n");
        Files.deleteIfExists(pidFile);
        Files.deleteIfExists(infoFile());
    }

    /** The pid in the pid file, if there is one. */
    public Optional<Long> readPid() throws IOException {
        if (!Files.exists(pidFile, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String text = readTrusted(pidFile).trim();
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IOException("pid file " + pidFile + " does not hold a pid: '" + text + "'");
        }
    }

    /** The health URL the daemon published, if any. */
    public Optional<String> readHealthUrl() throws IOException {
        if (!Files.exists(infoFile(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        JsonObject info = new Gson().fromJson(readTrusted(infoFile()), JsonObject.class);
        String url = info.has("health_url") ? info.get("health_url").getAsString() : "";
        return url.isEmpty() ? Optional.empty() : Optional.of(url);
    }

    /** The exit code the daemon recorded, if it has exited. */
    public Optional<Integer> readExitCode() throws IOException {
        if (!Files.exists(exitFile(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(readTrusted(exitFile()).trim()));
    }

    /**
     * Never through a symbolic link: the content goes to a new file of a random name (O_EXCL, so an
     * existing name or link makes it fail rather than be followed), renamed over the target (rename
     * replaces a link itself, it does not write where it points).
     */
    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (SeekableByteChannel out = Files.newByteChannel(tmp, Set.<OpenOption>of(
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads one of the daemon's files, refusing a symbolic link or a file another user owns: drain
     * and status act on what these files say (root may read anyone's).
     */
    private static String readTrusted(Path file) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + " is a symbolic link, not a file lk-worker wrote; remove it");
        }
        int owner = TrustedDirectory.ownerUid(file);
        int me = TrustedDirectory.currentUid();
        if (owner != me && me != 0) {
            throw new IOException(file + " is owned by uid " + owner + ", not by this user (uid " + me
                    + "); run this command as the daemon's user");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
