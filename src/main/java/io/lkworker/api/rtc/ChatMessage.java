package io.lkworker.api.rtc;

/**
 * A whole chat message a participant sent on {@value ChatInput#TOPIC} ({@link ChatInput}).
 *
 * @param senderIdentity who sent it
 * @param text the message
 * @param info its stream's info (id, timestamp, attributes)
 */
public record ChatMessage(String senderIdentity, String text, TextStreamInfo info) {
}
