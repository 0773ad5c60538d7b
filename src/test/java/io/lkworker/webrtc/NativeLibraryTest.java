package io.lkworker.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a machine without libwebrtc's system libraries is told. */
class NativeLibraryTest {

    @Test
    void aMissingSystemLibraryIsNamedWithItsDebianPackage() {
        // The message the JVM gives when dlopen fails on a dependency (seen on a machine without libpulse0).
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("/tmp/lkw/native/libwebrtc-java-0.14.0-23822952.so:"
                + " libpulse.so.0: cannot open shared object file: No such file or directory");
        assertThat(NativeLibrary.unavailable(e).getMessage()).isEqualTo(
                "WebRTC needs the system library libpulse.so.0, which is not installed (Debian/Ubuntu: apt install libpulse0)");

        UnsatisfiedLinkError x11 = new UnsatisfiedLinkError("/x/libwebrtc-java-linux-x86_64.so: libX11.so.6:"
                + " cannot open shared object file: No such file or directory");
        assertThat(NativeLibrary.unavailable(x11).getMessage()).contains("libX11.so.6").contains("apt install libx11-6");
    }

    @Test
    void anotherLinkFailureKeepsTheJvmsWords() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("/x/libwebrtc-java.so: wrong ELF class: ELFCLASS32");
        assertThat(NativeLibrary.unavailable(e).getMessage())
                .isEqualTo("cannot load the WebRTC library: /x/libwebrtc-java.so: wrong ELF class: ELFCLASS32");
    }

    @Test
    void theLibraryLoadsHereAndSaysSo() {
        NativeLibrary.load();
        assertThat(NativeLibrary.isLoaded()).isTrue();
    }
}
