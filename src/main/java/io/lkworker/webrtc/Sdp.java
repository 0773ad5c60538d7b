package io.lkworker.webrtc;

/**
 * Edits of session descriptions we send. Only the copy sent to the peer is edited (our own local
 * description stays as libwebrtc made it), and only in ways every WebRTC stack accepts.
 */
public final class Sdp {

    private Sdp() {
    }

    /**
     * Asks the peer to send audio in {@code millis} ms packets: {@code a=ptime} on every audio
     * section that has none. A sender takes its Opus frame length from the description it received,
     * and libwebrtc defaults to 20 ms; 10 ms halves the packetisation delay of every encoding on the
     * path (opus allows it: our offers and answers carry {@code minptime=10}).
     */
    public static String withAudioPtime(String sdp, int millis) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        String[] lines = sdp.split("\r?\n", -1);
        StringBuilder out = new StringBuilder(sdp.length() + 64);
        boolean audio = false;
        boolean hasPtime = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("m=")) {
                if (audio && !hasPtime) {
                    out.append("a=ptime:").append(millis).append(eol);
                }
                audio = line.startsWith("m=audio");
                hasPtime = false;
            } else if (line.startsWith("a=ptime:")) {
                hasPtime = true;
            }
            boolean last = i == lines.length - 1;
            if (last && line.isEmpty()) {
                if (audio && !hasPtime) {
                    out.append("a=ptime:").append(millis).append(eol);
                }
                break;
            }
            out.append(line);
            if (!last) {
                out.append(eol);
            } else if (audio && !hasPtime) {
                out.append(eol).append("a=ptime:").append(millis);
            }
        }
        return out.toString();
    }
}
