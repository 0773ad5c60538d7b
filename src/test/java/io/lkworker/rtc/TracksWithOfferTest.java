package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import livekit.LivekitModels;
import livekit.LivekitRtc.JoinResponse;
import org.junit.jupiter.api.Test;

/** When a new track's offer goes out right behind its AddTrackRequest (TrackPublisher), by the JoinResponse. */
class TracksWithOfferTest {

    @Test
    void aServerListingItsPublishCodecsGetsTheOfferWithTheRequest() {
        JoinResponse join = JoinResponse.newBuilder()
                .addEnabledPublishCodecs(LivekitModels.Codec.newBuilder().setMime("audio/opus")).build();
        assertThat(Transports.tracksWithOffer(join)).isTrue();
    }

    @Test
    void aServerListingNoCodecsAnswersTheRequestFirst() {
        assertThat(Transports.tracksWithOffer(JoinResponse.getDefaultInstance())).isFalse();
    }
}
