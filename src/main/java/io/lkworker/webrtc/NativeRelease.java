package io.lkworker.webrtc;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.internal.NativeObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the native reference that a webrtc-java wrapper owns but never gives back: webrtc-java 0.14.0's
 * {@code RTCPeerConnection.close()} calls {@code pc->Close()} and forgets the pointer without
 * {@code pc->Release()}, so every closed connection's whole native object graph (transports, senders,
 * receivers, codec state; 0.3-0.4 MB) stays for the life of the process (webrtc-java issue #239, fixed
 * on its main branch by #283 after the 0.14.0 release). Likewise the senders {@code addTrack} and the
 * transceivers {@code addTransceiver} return are owned references with no way to release them.
 *
 * <p>How, without native code of our own: {@code RTCDataChannel.dispose()} calls {@code Release()} on
 * its handle and reports whether that was the last reference. {@code Release()} is the second virtual
 * function of {@code webrtc::RefCountInterface}, the primary base of every ref-counted interface
 * (peer connection, sender, transceiver, data channel), so the call is the same for any of them; a
 * throw-away channel wrapper carries the handle. Only for the webrtc-java version whose JNI code was
 * read ({@link #READ_VERSION}): a release whose {@code close()} already releases would free twice.
 * {@code -Dlkworker.webrtc.releaseNative=false} turns it off.
 */
public final class NativeRelease {

    private static final Logger log = LoggerFactory.getLogger(NativeRelease.class);
    /** The webrtc-java release whose close() leaks the connection (JNI_RTCPeerConnection.cpp read for it). */
    static final String READ_VERSION = "0.14.0";
    static final String PROPERTY = "lkworker.webrtc.releaseNative";

    private static final java.util.concurrent.atomic.AtomicLong FREED = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong STILL_HELD = new java.util.concurrent.atomic.AtomicLong();
    private static final Field HANDLE;
    private static final Constructor<RTCDataChannel> CARRIER;
    private static final boolean ENABLED;

    static {
        Field handle = null;
        Constructor<RTCDataChannel> carrier = null;
        boolean enabled = false;
        try {
            handle = NativeObject.class.getDeclaredField("nativeHandle");
            handle.setAccessible(true);
            carrier = RTCDataChannel.class.getDeclaredConstructor();
            carrier.setAccessible(true);
            String version = webrtcJavaVersion();
            enabled = READ_VERSION.equals(version) && Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
            if (!READ_VERSION.equals(version)) {
                log.info("webrtc-java {} (not {}): closed peer connections are left to its own close()", version, READ_VERSION);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.info("cannot release closed peer connections' native memory: {}", e.toString());
        }
        HANDLE = handle;
        CARRIER = carrier;
        ENABLED = enabled;
    }

    private NativeRelease() {
    }

    /** Releases so far: how many freed their object, how many left it to another holder (benchmarks). */
    public static String counts() {
        return (ENABLED ? "" : "off; ") + FREED.get() + " freed, " + STILL_HELD.get() + " still referenced elsewhere";
    }

    static boolean enabled() {
        return ENABLED;
    }

    /** The native pointer a wrapper holds; 0 if none or unknown. */
    static long handle(Object wrapper) {
        try {
            return HANDLE == null || wrapper == null ? 0 : HANDLE.getLong(wrapper);
        } catch (IllegalAccessException e) {
            return 0;
        }
    }

    /**
     * Releases the reference {@code wrapper} owns and clears its handle, so that a later call on it throws
     * ("Object handle is null") instead of touching freed memory. True if that freed the object.
     */
    static boolean releaseOwned(Object wrapper) {
        long h = handle(wrapper);
        if (!ENABLED || h == 0) {
            return false;
        }
        try {
            HANDLE.setLong(wrapper, 0);
        } catch (IllegalAccessException e) {
            return false;
        }
        return release(h);
    }

    /** Releases one reference on a ref-counted native object; true if it was the last. */
    static boolean release(long handle) {
        if (!ENABLED || handle == 0) {
            return false;
        }
        RTCDataChannel carrier;
        try {
            carrier = CARRIER.newInstance();
            HANDLE.setLong(carrier, handle);
        } catch (ReflectiveOperationException e) {
            return false;
        }
        try {
            carrier.dispose();
            FREED.incrementAndGet();
            return true;
        } catch (Error e) {
            // "Native object was not deleted. A reference is still around somewhere.": ours is dropped all
            // the same; the holder of the other one frees it.
            STILL_HELD.incrementAndGet();
            return false;
        }
    }

    private static String webrtcJavaVersion() {
        try {
            var location = RTCPeerConnection.class.getProtectionDomain().getCodeSource().getLocation();
            try (JarFile jar = new JarFile(new java.io.File(location.toURI()))) {
                var manifest = jar.getManifest();
                return manifest == null ? null : manifest.getMainAttributes().getValue("Version");
            }
        } catch (Exception e) {
            return null;
        }
    }
}
