package io.lkworker.api.rtc;

/** A media track, local or remote. */
public interface Track {

    String name();

    TrackKind kind();
}
