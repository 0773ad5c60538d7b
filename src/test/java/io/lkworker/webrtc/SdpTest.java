package io.lkworker.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SdpTest {

    private static final String SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:2\r\na=ptime:40\r\n";

    @Test
    void audioSectionsWithoutPtimeGetItAndNothingElseChanges() {
        String munged = Sdp.withAudioPtime(SDP, 10);
        assertThat(munged).isEqualTo("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=ptime:10\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:2\r\na=ptime:40\r\n");
    }

    @Test
    void aLastAudioSectionWithoutTrailingNewlineGetsItToo() {
        assertThat(Sdp.withAudioPtime("v=0\nm=audio 9 X 111\na=mid:0", 10)).isEqualTo("v=0\nm=audio 9 X 111\na=mid:0\na=ptime:10");
    }
}
