package io.lkworker.interop;

import java.util.List;

/**
 * What the interop page ({@code src/test/js/browser/interop.js}) reports when it is done: whether
 * livekit-client connected, whom it saw, what it heard from the peer, and the data it sent and received.
 * {@code error} is null when every step passed, else the first failure (the fields before it are filled).
 */
record BrowserReport(String sdkVersion, boolean connected, String identity, String room,
                     List<Participant> remoteParticipants, Track peerTrack, Heard heard, String dataSent,
                     List<Data> dataReceived, List<String> echoesSent, String error) {

    record Participant(String identity, String name, String sid, int kind) {
    }

    record Track(String sid, String name, String source) {
    }

    /** Median of ten measurements over a second: dominant frequency (Hz) and RMS level (dBFS). */
    record Heard(double frequency, double rmsDbfs, double sampleRate) {
    }

    record Data(String from, String topic, String text) {
    }

    public List<Participant> remoteParticipants() {
        return remoteParticipants == null ? List.of() : remoteParticipants;
    }

    public List<Data> dataReceived() {
        return dataReceived == null ? List.of() : dataReceived;
    }
}
