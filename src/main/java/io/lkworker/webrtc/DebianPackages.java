package io.lkworker.webrtc;

import java.util.Map;

/** The Debian/Ubuntu packages that provide the system libraries libwebrtc links (checked with ldd). */
final class DebianPackages {

    private static final Map<String, String> BY_LIBRARY = Map.ofEntries(
            Map.entry("libpulse.so.0", "libpulse0"),
            Map.entry("libX11.so.6", "libx11-6"),
            Map.entry("libXext.so.6", "libxext6"),
            Map.entry("libXfixes.so.3", "libxfixes3"),
            Map.entry("libXrandr.so.2", "libxrandr2"),
            Map.entry("libXcomposite.so.1", "libxcomposite1"),
            Map.entry("libXdamage.so.1", "libxdamage1"),
            Map.entry("libXtst.so.6", "libxtst6"),
            Map.entry("libdbus-1.so.3", "libdbus-1-3"),
            Map.entry("libudev.so.1", "libudev1"),
            Map.entry("libglib-2.0.so.0", "libglib2.0-0"));

    private DebianPackages() {
    }

    /** The package for a library file name such as {@code libpulse.so.0}, or null if unknown. */
    static String forLibrary(String library) {
        return BY_LIBRARY.get(library);
    }
}
