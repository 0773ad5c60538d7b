package io.lkworker.localserver.room;

/**
 * A participant's signalling as the server sees it, for tests and fault drills.
 *
 * @param identity             the participant
 * @param sid                  its participant sid (unchanged by a resume)
 * @param connected            whether a signalling connection is up now
 * @param connections          signalling connections it has had: the join's plus one per resume
 * @param resumes              resumes accepted
 * @param lastReliableSequence highest reliable data sequence accepted from it (ReconnectResponse.last_message_seq)
 */
public record SignallingState(String identity, String sid, boolean connected, int connections, int resumes,
                              long lastReliableSequence) {
}
