package io.lkworker.webrtc;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads webrtc-java's native library (libwebrtc and its JNI glue, 23 MB) once per process.
 *
 * <p>webrtc-java's own loader copies the library out of its jar into a fresh temporary file on every
 * load: 23 MB of writes per job process, and pages no two processes share. When a cache directory is
 * given (system property {@value #DIR_PROPERTY}, set by the process pool to a directory in the
 * worker's private run directory), the library is extracted there once, under a name that carries
 * its size, and every later process maps the same file. webrtc-java is then told it is loaded, so it
 * does not load a second copy. Without the property, or if anything about the cache fails, its own
 * loader runs.
 *
 * <p>A missing system library (webrtc-java links libpulse and X11) is reported as one
 * {@link WebRtcUnavailableException} naming the Debian package to install.
 */
public final class NativeLibrary {

    /** Directory to keep the extracted library in; must be private to the user (the run directory is). */
    public static final String DIR_PROPERTY = "lkworker.webrtc.dir";
    /** webrtc-java's name for the library (its NativeLoader key). */
    private static final String LIBRARY_KEY = "webrtc-java";
    private static final String RESOURCE = "libwebrtc-java-linux-x86_64.so";
    private static final Pattern MISSING_SO = Pattern.compile("(lib[\\w+.-]+\\.so(?:\\.\\d+)*)");

    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    /** Loads the library if this process has not yet. Thread-safe; throws the same clear error every time. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            String dir = System.getProperty(DIR_PROPERTY);
            if (dir == null || dir.isBlank() || !loadFromCache(Path.of(dir))) {
                dev.onvoid.webrtc.internal.NativeLoader.loadLibrary(LIBRARY_KEY);
            }
            loaded = true;
        } catch (UnsatisfiedLinkError e) {
            throw unavailable(e);
        } catch (WebRtcUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new WebRtcUnavailableException("cannot load the WebRTC library: " + e, e);
        }
    }

    public static boolean isLoaded() {
        return loaded;
    }

    /** False when the cache cannot be used (then the caller falls back to webrtc-java's loader). */
    private static boolean loadFromCache(Path dir) throws IOException {
        if (!isSupportedPlatform()) {
            return false;
        }
        Path file;
        try (InputStream probe = resource()) {
            if (probe == null) {
                return false;
            }
        }
        long size = resourceSize();
        if (size <= 0) {
            return false;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        if (!privateToUs(dir)) {
            return false; // another user could swap the library: let webrtc-java use a fresh temp file
        }
        file = dir.resolve("libwebrtc-java-" + webrtcJavaVersion() + "-" + size + ".so");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != size) {
            Path tmp = Files.createTempFile(dir, "libwebrtc-java-", ".tmp");
            try (InputStream in = resource()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        System.load(file.toAbsolutePath().toString());
        markLoaded();
        return true;
    }

    /** Owned by this process's user and writable by nobody else (a library loaded from it runs as us). */
    private static boolean privateToUs(Path dir) {
        try {
            var attrs = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String me = System.getProperty("user.name");
            var perms = attrs.permissions();
            return attrs.isDirectory() && attrs.owner().getName().equals(me)
                    && !perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    && !perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static InputStream resource() {
        return dev.onvoid.webrtc.internal.NativeLoader.class.getClassLoader().getResourceAsStream(RESOURCE);
    }

    private static long resourceSize() throws IOException {
        var url = dev.onvoid.webrtc.internal.NativeLoader.class.getClassLoader().getResource(RESOURCE);
        if (url == null) {
            return -1;
        }
        var connection = url.openConnection();
        connection.setUseCaches(false);
        return connection.getContentLengthLong();
    }

    private static String webrtcJavaVersion() {
        Package p = dev.onvoid.webrtc.PeerConnectionFactory.class.getPackage();
        String v = p != null ? p.getImplementationVersion() : null;
        return v != null ? v.replaceAll("[^\\w.-]", "_") : "unknown";
    }

    /** Tells webrtc-java's loader the library is in, so its classes' static loads are no-ops. */
    @SuppressWarnings("unchecked")
    private static void markLoaded() {
        try {
            Field f = dev.onvoid.webrtc.internal.NativeLoader.class.getDeclaredField("LOADED_LIB_SET");
            f.setAccessible(true);
            ((Set<String>) f.get(null)).add(LIBRARY_KEY);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A later webrtc-java: its loader would load a second copy from a temp file. Still works.
        }
    }

    private static boolean isSupportedPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "").toLowerCase();
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    static WebRtcUnavailableException unavailable(UnsatisfiedLinkError e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = MISSING_SO.matcher(message);
        String lib = null;
        while (m.find()) {
            lib = m.group(1);
            if (!lib.startsWith("libwebrtc-java")) {
                break;
            }
            lib = null;
        }
        if (lib != null && message.contains("cannot open shared object file")) {
            String pkg = DebianPackages.forLibrary(lib);
            return new WebRtcUnavailableException("WebRTC needs the system library " + lib + ", which is not installed"
                    + (pkg != null ? " (Debian/Ubuntu: apt install " + pkg + ")" : ""), e);
        }
        return new WebRtcUnavailableException("cannot load the WebRTC library: " + message, e);
    }
}
