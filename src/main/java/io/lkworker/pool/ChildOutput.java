package io.lkworker.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child's raw output file: what bypasses System.out/err and SLF4J (JVM warnings, crash reports,
 * a subprocess writing to the inherited descriptors). Keeps it bounded while the child runs, reads
 * its tail for diagnostics, and logs what is left once the child is gone. Loop thread only; logs
 * under {@link ChildProcess}'s logger, in the child's MDC.
 */
final class ChildOutput {

    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    /**
     * Raw output kept per child. Diagnostics need the end of it; an agent's ffmpeg can write
     * gigabytes. Beyond this the file is emptied (checked every ping).
     */
    static final long MAX_OUTPUT_BYTES = 4L * 1024 * 1024;
    /** How much of the end of the raw output is read when the child is gone (of which 50 lines are logged). */
    static final int OUTPUT_TAIL_BYTES = 64 * 1024;
    private static final int LEFTOVER_LINES = 50;

    private final Path file;
    private final Consumer<Runnable> withMdc;

    /** {@code withMdc} runs its argument with the child's pid (and job) in the MDC. */
    ChildOutput(Path file, Consumer<Runnable> withMdc) {
        this.file = file;
        this.withMdc = withMdc;
    }

    /** ": LAST LINE" of the raw output, or "" when there is none (appended to a start failure). */
    String hint() {
        List<String> lines = tail();
        return lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1);
    }

    /** The last lines of the raw output: only its tail is read, whatever the file's size. */
    List<String> tail() {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return List.of();
            }
            int length = (int) Math.min(size, OUTPUT_TAIL_BYTES);
            ByteBuffer tail = ByteBuffer.allocate(length);
            channel.read(tail, size - length);
            List<String> lines = new ArrayList<>(
                    new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8).lines().toList());
            if (size > length && !lines.isEmpty()) {
                lines.remove(0); // cut in the middle
            }
            return lines;
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * webrtc-java prints these two lines at exit, from C++ static destructors that try to attach to a
     * JVM already gone (a harmless attempt, see {@code webrtc.MediaEngine}); not worth a warning on
     * every job that used a room.
     */
    static boolean isKnownExitNoise(String line) {
        return line.equals("VM attach current thread failed") || line.startsWith("Failed to attach thread ");
    }

    /**
     * What JDK 25's JVM prints on standard output while a trainer child writes its AOT cache (JEP 514:
     * it records a configuration at exit, then starts a JVM of its own to assemble the cache, which
     * prints "Picked up JAVA_TOOL_OPTIONS" with the class path). Expected, so logged at debug only.
     */
    static boolean isAotCacheTrainingOutput(String line) {
        return line.startsWith("Temporary AOTConfiguration recorded: ")
                || (line.startsWith("Launching child process ") && line.contains(" to assemble AOT cache "))
                || line.startsWith("Picked up JAVA_TOOL_OPTIONS: -Djava.class.path=")
                || line.startsWith("Reading AOTConfiguration ")
                || line.startsWith("AOTCache creation is complete: ")
                || line.startsWith("Removed temporary AOT configuration file ");
    }

    /** Empties the file when it outgrows {@link #MAX_OUTPUT_BYTES} (the child appends, so it goes on). */
    void bound() {
        try {
            long size = Files.size(file);
            if (size > MAX_OUTPUT_BYTES) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(0);
                }
                withMdc.accept(() -> log.warn("child wrote {} MB of raw output (not through System.out/err or a logger);"
                        + " discarded it", size / (1024 * 1024)));
            }
        } catch (IOException e) {
            // gone or unreadable: nothing to bound
        }
    }

    /** What the JVM itself printed (warnings, crash reports): logged once the child is gone; then the file is deleted. */
    void logLeftoverAndDelete() {
        List<String> lines = tail();
        int from = Math.max(0, lines.size() - LEFTOVER_LINES);
        withMdc.accept(() -> lines.subList(from, lines.size()).stream().filter(line -> !isKnownExitNoise(line))
                .forEach(line -> {
                    if (isAotCacheTrainingOutput(line)) {
                        log.debug("child output: {}", line);
                    } else {
                        log.warn("child output: {}", line);
                    }
                }));
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the run directory is removed at close
        }
    }
}
