package io.lkworker.health;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's name as {@code uname -n} gives it, for the {@code nodename} label of the Python worker's
 * metric names (which it fills from {@code os.uname().nodename}). Read from the kernel, not through
 * InetAddress.getLocalHost(), which may wait on DNS.
 */
final class NodeName {

    private NodeName() {
    }

    static String current() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        String env = System.getenv("HOSTNAME");
        return env == null ? "" : env.trim();
    }
}
