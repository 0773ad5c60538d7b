package io.lkworker.api;

/** What a job is bound to: a whole room, one publishing participant, or one participant. */
public enum JobType {
    ROOM,
    PUBLISHER,
    PARTICIPANT
}
