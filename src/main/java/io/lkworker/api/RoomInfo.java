package io.lkworker.api;

/**
 * The room a job belongs to, as the server described it when it offered the job.
 *
 * @param sid room id ({@code RM_...})
 * @param name room name
 * @param metadata room metadata, "" when none
 * @param numParticipants participants in the room at offer time
 * @param creationTimeMs creation time, Unix milliseconds (0 when unknown)
 */
public record RoomInfo(String sid, String name, String metadata, int numParticipants, long creationTimeMs) {
}
