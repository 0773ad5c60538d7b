package io.lkworker.api.rtc;

/**
 * Takes the byte streams of one topic ({@link Room#registerByteStreamHandler}); threads and life cycle
 * as for {@link TextStreamHandler}.
 */
@FunctionalInterface
public interface ByteStreamHandler {

    void onByteStream(ByteStreamReader reader, String participantIdentity) throws Exception;
}
