package io.lkworker.dev;

import com.google.protobuf.Message;
import java.util.Set;

/**
 * One Twirp service of the server ({@code livekit.AgentDispatchService}, later
 * {@code livekit.RoomService}): its methods behind {@link TwirpHandler}, which does the framing.
 */
interface TwirpService {

    /** {@code /twirp/<package>.<Service>/}. */
    String prefix();

    /** The method names served; any other is a bad_route before the body is read. */
    Set<String> methods();

    /** Runs one of {@link #methods()}: decodes the body with {@link TwirpCall#decode}, returns the reply. */
    Message call(TwirpCall call) throws TwirpError;
}
