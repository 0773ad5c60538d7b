package io.lkworker.localserver.agent;

import io.lkworker.localserver.ConnectionAttempt;
import io.lkworker.localserver.Ids;
import io.lkworker.localserver.ReceivedMessage;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.Close;
import io.lkworker.localserver.http.Route;
import io.lkworker.localserver.http.WebSocketConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import livekit.LivekitAgent.SimulateJobRequest;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitModels.Room;
import livekit.LivekitModels.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent side of the server, like LiveKit's AgentService: the {@code /agent} endpoint, the worker
 * sessions and their registry, job offers, and the rooms' agent dispatches. The server facade
 * routes {@link #route()} and records what {@link Events} reports; everything else here is the
 * agent protocol.
 *
 * <p>Threads: sessions report on their connection threads, offers run on the io executor, and the
 * control methods are thread-safe.
 */
public final class AgentService {

    private static final Logger log = LoggerFactory.getLogger(AgentService.class);

    /** What the agent side tells the server's recording and listeners, on the thread where it happens. */
    public interface Events {
        /** A request to {@code /agent} and its answer; called before the answer is written. */
        void connectionAttempt(ConnectionAttempt attempt);

        void messageReceived(ReceivedMessage message);

        /** The worker's RegisterWorkerResponse was written. */
        void workerRegistered(WorkerHandle worker);

        /** A connection ended; {@code wasRegistered} when its worker had been in the pool. */
        void connectionClosed(WorkerHandle worker, boolean wasRegistered);

        void jobOutcome(OfferOutcome outcome);
    }

    private final ServerConfig config;
    private final ServerInfo serverInfo;
    private final ScheduledExecutorService timer;
    private final Executor io;
    private final Events events;
    private final WorkerRegistry registry = new WorkerRegistry();
    /** Every upgraded connection, registered or not (closeAllAbruptly reaches them all). */
    private final Set<WorkerSession> sessions = ConcurrentHashMap.newKeySet();
    private final AgentDispatcher dispatcher;
    private final DispatchManager dispatches;
    private final AgentEndpoint endpoint;
    private volatile boolean closed;

    /**
     * @param serverInfo what RegisterWorkerResponse carries
     * @param timer      only expires deadlines
     * @param io         for work that must not block the thread that triggered it
     */
    public AgentService(ServerConfig config, ApiKeyAuth auth, ServerInfo serverInfo, ScheduledExecutorService timer,
            Executor io, Events events) {
        this.config = config;
        this.serverInfo = serverInfo;
        this.timer = timer;
        this.io = io;
        this.events = events;
        this.dispatcher = new AgentDispatcher(config, registry, this::room, timer, io, events::jobOutcome);
        this.dispatches = new DispatchManager(config, dispatcher, this::terminateJob);
        this.endpoint = new AgentEndpoint(auth, config, events::connectionAttempt, this::newSession);
    }

    /** {@code GET /agent}, the worker WebSocket. */
    public Route route() {
        return Route.exact(AgentEndpoint.PATH, endpoint);
    }

    /** Drops every connection abruptly; a connection upgraded from now on is dropped at once. */
    public void close() {
        closed = true;
        sessions.forEach(s -> s.close(Close.ABRUPT));
    }

    // ---- workers ------------------------------------------------------------------------------

    /** Registered workers, in registration order. */
    public List<WorkerHandle> workers() {
        return List.copyOf(registry.all());
    }

    public Optional<WorkerHandle> worker(String workerId) {
        return registry.find(workerId).map(w -> w);
    }

    /** Closes the connection of {@code workerId} (registered or not). False if no such open connection. */
    public boolean closeWorker(String workerId, Close how) {
        Optional<WorkerSession> session = sessions.stream().filter(s -> s.workerId().equals(workerId)).findFirst();
        session.ifPresent(s -> s.close(how));
        return session.isPresent();
    }

    /** Drops every worker connection without a close frame. Returns how many. */
    public int closeAllAbruptly() {
        List<WorkerSession> all = List.copyOf(sessions);
        all.forEach(s -> s.close(Close.ABRUPT));
        return all.size();
    }

    public void refuseUpgrades(int status, String body) {
        endpoint.refuseUpgrades(status, body);
    }

    public void acceptUpgrades() {
        endpoint.acceptUpgrades();
    }

    // ---- jobs, rooms, dispatches -------------------------------------------------------------

    public JobOffer offerJob(JobSpec spec) {
        return dispatcher.offer(spec);
    }

    /** Sends JobTermination to the worker running {@code jobId}; false if no connected worker runs it. */
    public boolean terminateJob(String jobId) {
        return registry.all().stream().anyMatch(w -> w.terminate(jobId));
    }

    public void setWithholdAssignments(boolean withhold) {
        dispatcher.setWithholdAssignments(withhold);
    }

    public AgentDispatch createDispatch(String room, String agentName, String metadata) {
        return dispatches.create(room, agentName, metadata);
    }

    /** The deleted dispatch (its jobs terminated), or empty for an unknown id. */
    public Optional<AgentDispatch> deleteDispatch(String room, String dispatchId) {
        return dispatches.delete(room, dispatchId);
    }

    /** The room's dispatches, or only {@code dispatchId} when not empty. */
    public List<AgentDispatch> dispatches(String room, String dispatchId) {
        return dispatches.list(room, dispatchId);
    }

    public Room createRoom(String name) {
        return dispatches.createWithDefaultDispatch(name);
    }

    public Room room(String name) {
        return dispatches.room(name);
    }

    /**
     * A participant's join opened room {@code name}: the agents its token asked for are dispatched,
     * or, when it asked for none, LiveKit's default dispatch (agent name "", for workers registered
     * without a name). A room the agent side already knew (a dispatch created it) is kept as it is.
     */
    public Room roomOpened(String name, Map<String, String> agentNamesToMetadata) {
        if (agentNamesToMetadata.isEmpty()) {
            return dispatches.createWithDefaultDispatch(name);
        }
        agentNamesToMetadata.forEach((agent, metadata) -> dispatches.create(name, agent, metadata));
        return dispatches.room(name);
    }

    /**
     * Room {@code name} closed. Agents that were in it have been told why and end their jobs
     * themselves; the jobs of agents that never joined are terminated here. The room and its
     * dispatches are forgotten.
     */
    public void roomClosed(String name, Set<String> presentIdentities) {
        dispatches.forgetRoom(name);
        for (WorkerHandle worker : registry.all()) {
            for (String jobId : worker.runningJobIds()) {
                worker.runningJob(jobId)
                        .filter(job -> job.getRoom().getName().equals(name))
                        .filter(job -> !presentIdentities.contains(job.getState().getParticipantIdentity()))
                        .ifPresent(job -> terminateJob(job.getId()));
            }
        }
    }

    private WorkerSession newSession(long connectionId, ApiKeyAuth.Grant grant, WebSocketConnection ws) {
        WorkerSession session = new WorkerSession(connectionId, Ids.next(Ids.WORKER), grant, ws, config, serverInfo,
                timer, io, new SessionEvents());
        sessions.add(session);
        if (closed) {
            ws.abort(); // lost the race with close(); the session's first read fails at once
        }
        return session;
    }

    /** Connects sessions to the registry, the dispatch side and {@link Events}. Runs on connection threads. */
    private final class SessionEvents implements WorkerSession.Listener {
        @Override
        public void onReceived(WorkerSession session, WorkerMessage message, Instant at) {
            events.messageReceived(new ReceivedMessage(session.connectionId(), session.workerId(), at, message));
        }

        @Override
        public void onJoiningPool(WorkerSession session) {
            registry.add(session);
        }

        @Override
        public void onRegistered(WorkerSession session) {
            events.workerRegistered(session);
            dispatches.workerRegistered(session);
        }

        @Override
        public void onSimulateJob(WorkerSession session, SimulateJobRequest request) {
            dispatcher.simulate(session, request);
        }

        @Override
        public void onClosed(WorkerSession session) {
            sessions.remove(session);
            boolean wasRegistered = registry.remove(session);
            if (wasRegistered) {
                log.info("{} disconnected", session);
            }
            events.connectionClosed(session, wasRegistered);
        }
    }
}
