package io.lkworker.rtc;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts UTF-8 text into pieces of at most a given size without splitting a character, so a receiver
 * that decodes every chunk on its own (LiveKit's JS client does) never sees half a character. The
 * same rule as {@code livekit/client-sdk-js src/room/utils.ts splitUtf8}: a cut that would fall on a
 * continuation byte ({@code 10xxxxxx}) moves back to the start of that character.
 */
final class Utf8Chunks {

    private Utf8Chunks() {
    }

    /** The {@code [start, end)} offsets of the pieces of {@code utf8[offset, offset+length)}. */
    static List<int[]> split(byte[] utf8, int offset, int length, int maxPiece) {
        if (maxPiece < 4) {
            throw new IllegalArgumentException("a piece must hold at least one 4-byte character: " + maxPiece);
        }
        List<int[]> pieces = new ArrayList<>(length / maxPiece + 1);
        int start = offset;
        int end = offset + length;
        while (end - start > maxPiece) {
            int cut = start + maxPiece;
            while (cut > start && (utf8[cut] & 0xC0) == 0x80) {
                cut--;
            }
            if (cut == start) {
                cut = start + maxPiece; // not UTF-8 at all: cut anyway rather than loop forever
            }
            pieces.add(new int[] {start, cut});
            start = cut;
        }
        if (end > start) {
            pieces.add(new int[] {start, end});
        }
        return pieces;
    }
}
