package io.lkworker.api.rtc;

/**
 * Takes the text streams of one topic ({@link Room#registerTextStreamHandler}). Called once per stream,
 * on a data-stream thread of the room (never the room's session or event thread), as soon as the
 * stream's header arrives: read the stream there. When it returns, whatever it did not read of the
 * stream is dropped. An exception it throws is logged.
 */
@FunctionalInterface
public interface TextStreamHandler {

    /**
     * @param reader the stream
     * @param participantIdentity who sent it (for a transcription an agent publishes on behalf of a
     *     user, that user)
     */
    void onTextStream(TextStreamReader reader, String participantIdentity) throws Exception;
}
