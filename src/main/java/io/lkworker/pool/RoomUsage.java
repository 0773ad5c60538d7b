package io.lkworker.pool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Whether an agent jar uses rooms: some class of it refers to the room API
 * ({@code io/lkworker/api/rtc/...} appears in a class file's constant pool, which every use of
 * {@code ctx.connect()} puts there through its return type). Job processes of such an agent load the
 * WebRTC library while they warm up, so joining costs no library load; others skip it and stay
 * 12-20 MB smaller.
 */
final class RoomUsage {

    private static final byte[] MARKER = "io/lkworker/api/rtc/".getBytes(StandardCharsets.US_ASCII);

    private RoomUsage() {
    }

    /** True if a class in {@code jar} refers to the room API; false (never an exception) when unsure. */
    static boolean usesRooms(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (!e.getName().endsWith(".class") || e.getName().startsWith("io/lkworker/api/")) {
                    continue;
                }
                try (InputStream in = file.getInputStream(e)) {
                    if (contains(in.readAllBytes(), MARKER)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
