package io.lkworker.api.rtc;

/** A track as published in the room: what is known about it whether or not it is subscribed. */
public interface TrackPublication {

    /** The track's id in the room ({@code TR_...}). */
    String sid();

    String name();

    TrackKind kind();

    TrackSource source();

    boolean isMuted();
}
