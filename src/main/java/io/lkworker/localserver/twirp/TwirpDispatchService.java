package io.lkworker.localserver.twirp;

import com.google.protobuf.Message;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.AgentService;
import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.Route;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.CreateAgentDispatchRequest;
import livekit.LivekitAgentDispatch.DeleteAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchResponse;

/**
 * {@code livekit.AgentDispatchService} over Twirp (livekit/livekit {@code pkg/service/agent_dispatch_service.go});
 * {@link TwirpHandler} does the
 * framing. Stateless; runs on the HTTP connection thread and delegates to the {@link AgentService}.
 */
public final class TwirpDispatchService {

    static final String PREFIX = "/twirp/livekit.AgentDispatchService/";

    private static final Set<String> METHODS = Set.of("CreateDispatch", "DeleteDispatch", "ListDispatch");

    private final ServerConfig config;
    private final ApiKeyAuth auth;
    private final AgentService agents;

    public TwirpDispatchService(ServerConfig config, ApiKeyAuth auth, AgentService agents) {
        this.config = config;
        this.auth = auth;
        this.agents = agents;
    }

    /** The route that serves this service. */
    public Route route() {
        return TwirpHandler.route(PREFIX, METHODS, this::call);
    }

    private Message call(TwirpCall call) throws TwirpError {
        return switch (call.method()) {
            case "CreateDispatch" -> create(call.decode(CreateAgentDispatchRequest.newBuilder()), call);
            case "DeleteDispatch" -> delete(call.decode(DeleteAgentDispatchRequest.newBuilder()), call);
            case "ListDispatch" -> list(call.decode(ListAgentDispatchRequest.newBuilder()), call);
            default -> throw TwirpError.badRoute("no handler for path " + PREFIX + call.method());
        };
    }

    private AgentDispatch create(CreateAgentDispatchRequest req, TwirpCall call) throws TwirpError {
        requireAdmin(call, req.getRoom());
        requireRoom(req.getRoom());
        requireServedAgentName(req.getAgentName());
        return agents.createDispatch(req.getRoom(), req.getAgentName(), req.getMetadata());
    }

    private AgentDispatch delete(DeleteAgentDispatchRequest req, TwirpCall call) throws TwirpError {
        requireAdmin(call, req.getRoom());
        requireRoom(req.getRoom());
        return agents.deleteDispatch(req.getRoom(), req.getDispatchId())
                .orElseThrow(() -> new TwirpError("not_found", 404, "dispatch ID not found"));
    }

    private ListAgentDispatchResponse list(ListAgentDispatchRequest req, TwirpCall call) throws TwirpError {
        requireAdmin(call, req.getRoom());
        requireRoom(req.getRoom());
        return ListAgentDispatchResponse.newBuilder()
                .addAllAgentDispatches(agents.dispatches(req.getRoom(), req.getDispatchId()))
                .build();
    }

    /** video.roomAdmin, and the grant's room (when it names one) must be the request's room. */
    private void requireAdmin(TwirpCall call, String room) throws TwirpError {
        TwirpGrants.require(auth, call, "roomAdmin", room);
    }

    /**
     * With {@code rejectUnservedAgentNames} (dev mode), and unlike the real server (which creates the
     * dispatch and silently never runs a job), a dispatch to an agent name that none of the registered
     * workers serves is refused: on a development server it is almost always a typo. With no worker
     * registered at all the dispatch is taken (it waits for one).
     */
    private void requireServedAgentName(String agentName) throws TwirpError {
        if (!config.rejectUnservedAgentNames()) {
            return;
        }
        List<String> names = agents.workers().stream().map(w -> w.registration().getAgentName()).distinct().sorted()
                .toList();
        if (!names.isEmpty() && !names.contains(agentName)) {
            throw new TwirpError("not_found", 404, "no registered worker serves agent '" + agentName
                    + "' (registered: " + names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "))
                    + ")");
        }
    }

    private static void requireRoom(String room) throws TwirpError {
        TwirpGrants.requireRoom(room);
    }
}
