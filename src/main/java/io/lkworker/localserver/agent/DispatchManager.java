package io.lkworker.localserver.agent;

import io.lkworker.localserver.Ids;
import io.lkworker.localserver.ServerConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.AgentDispatchState;
import livekit.LivekitModels.Room;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms and their agent dispatches (livekit/livekit {@code pkg/rtc/room.go} {@code launchRoomAgents},
 * {@code pkg/service/agent_dispatch_service.go}): creating a dispatch launches its
 * JT_ROOM job, deleting one terminates its jobs. Rooms here have no participants, so only JT_ROOM
 * jobs are ever launched from dispatches; JT_PUBLISHER / JT_PARTICIPANT jobs come from
 * {@link AgentService#offerJob}.
 *
 * <p>Threads: called from HTTP connection threads, control-API callers and io threads (job
 * outcomes); all state is guarded by {@code this}, and no offer or termination runs under it.
 */
final class DispatchManager {

    private static final Logger log = LoggerFactory.getLogger(DispatchManager.class);

    /** Room defaults of a real server (room.empty_timeout 5 min, departure_timeout 20 s). */
    private static final int EMPTY_TIMEOUT_SECONDS = 300;
    private static final int DEPARTURE_TIMEOUT_SECONDS = 20;

    private final AgentDispatcher dispatcher;
    private final Predicate<String> terminateJob;
    private final boolean offerUnserved;
    private final Clock clock;
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final Map<String, Map<String, AgentDispatch>> dispatches = new LinkedHashMap<>();
    /** Dispatch ids whose job could not be offered yet (only with offerUnservedDispatches). */
    private final List<String> unserved = new ArrayList<>();

    DispatchManager(ServerConfig config, AgentDispatcher dispatcher, Predicate<String> terminateJob) {
        this.dispatcher = dispatcher;
        this.terminateJob = terminateJob;
        this.offerUnserved = config.offerUnservedDispatches();
        this.clock = config.clock();
    }

    /** The room's current snapshot, creating the room (with an RM_ sid) when it does not exist. */
    synchronized Room room(String name) {
        return rooms.computeIfAbsent(name, n -> {
            long nowMs = clock.millis();
            log.info("room '{}' created", n);
            return Room.newBuilder()
                    .setSid(Ids.next(Ids.ROOM))
                    .setName(n)
                    .setEmptyTimeout(EMPTY_TIMEOUT_SECONDS)
                    .setDepartureTimeout(DEPARTURE_TIMEOUT_SECONDS)
                    .setCreationTime(nowMs / 1000)
                    .setCreationTimeMs(nowMs)
                    .build();
        });
    }

    /**
     * A room created the way a participant's join creates one: with no configured agents it gets the
     * default dispatch (agent name "", automatic dispatch), whose JT_ROOM job is launched. An
     * existing room is returned unchanged.
     */
    synchronized Room createWithDefaultDispatch(String name) {
        // Holding the monitor across create() is safe: launching only queues work on the io executor.
        if (!rooms.containsKey(name)) {
            create(name, "", "");
        }
        return rooms.get(name);
    }

    /** CreateDispatch: the room is auto-created; the JT_ROOM job is launched asynchronously. */
    AgentDispatch create(String roomName, String agentName, String metadata) {
        AgentDispatch dispatch;
        synchronized (this) {
            room(roomName);
            dispatch = AgentDispatch.newBuilder()
                    .setId(Ids.next(Ids.DISPATCH))
                    .setAgentName(agentName)
                    .setRoom(roomName)
                    .setMetadata(metadata)
                    .setState(AgentDispatchState.newBuilder().setCreatedAt(clock.millis() * 1_000_000L))
                    .build();
            dispatches.computeIfAbsent(roomName, r -> new LinkedHashMap<>()).put(dispatch.getId(), dispatch);
        }
        log.info("dispatch {} created for agent '{}' in room '{}'", dispatch.getId(), agentName, roomName);
        launch(dispatch);
        return dispatch;
    }

    /** Removes the dispatch, then terminates the jobs it launched. Empty for an unknown dispatch. */
    Optional<AgentDispatch> delete(String roomName, String dispatchId) {
        AgentDispatch removed;
        synchronized (this) {
            Map<String, AgentDispatch> ofRoom = dispatches.get(roomName);
            removed = ofRoom == null ? null : ofRoom.remove(dispatchId);
            unserved.remove(dispatchId);
        }
        if (removed == null) {
            return Optional.empty();
        }
        for (Job job : removed.getState().getJobsList()) {
            terminateJob.test(job.getId());
        }
        log.info("dispatch {} deleted from room '{}'", dispatchId, roomName);
        return Optional.of(removed.toBuilder()
                .setState(removed.getState().toBuilder().setDeletedAt(clock.millis() * 1_000_000L))
                .build());
    }

    /** The room closed: forget it and its dispatches (their jobs end with the room; nothing is terminated here). */
    synchronized void forgetRoom(String roomName) {
        rooms.remove(roomName);
        Map<String, AgentDispatch> ofRoom = dispatches.remove(roomName);
        if (ofRoom != null) {
            unserved.removeAll(ofRoom.keySet());
        }
    }

    /** All dispatches of the room, or only {@code dispatchId} when not empty. Unknown room ⇒ empty. */
    synchronized List<AgentDispatch> list(String roomName, String dispatchId) {
        Map<String, AgentDispatch> ofRoom = dispatches.getOrDefault(roomName, Map.of());
        return ofRoom.values().stream()
                .filter(d -> dispatchId.isEmpty() || d.getId().equals(dispatchId))
                .toList();
    }

    /** A worker registered: launch the jobs of dispatches that had nobody to go to (knob only). */
    void workerRegistered(WorkerHandle worker) {
        if (!offerUnserved || worker.registration().getType() != JobType.JT_ROOM) {
            return;
        }
        List<AgentDispatch> toLaunch = new ArrayList<>();
        synchronized (this) {
            for (Iterator<String> it = unserved.iterator(); it.hasNext();) {
                findLocked(it.next())
                        .filter(d -> d.getAgentName().equals(worker.registration().getAgentName())
                                && worker.deployment().isEmpty())
                        .ifPresent(d -> {
                            toLaunch.add(d);
                            it.remove();
                        });
            }
        }
        toLaunch.forEach(this::launch);
    }

    private void launch(AgentDispatch d) {
        if (!dispatcher.anyWorkerServes(d.getAgentName(), JobType.JT_ROOM, "")) {
            if (offerUnserved) {
                synchronized (this) {
                    unserved.add(d.getId());
                }
                log.info("no worker serves agent '{}' yet; dispatch {} waits for one", d.getAgentName(), d.getId());
            } else {
                // What the real server does: the job is never created, and not retried later.
                log.info("not dispatching agent job since no worker is available (agent '{}', room '{}', dispatch {})",
                        d.getAgentName(), d.getRoom(), d.getId());
            }
            return;
        }
        JobSpec spec = JobSpec.forRoom(d.getRoom())
                .withAgentName(d.getAgentName())
                .withMetadata(d.getMetadata())
                .withDispatchId(d.getId());
        dispatcher.offer(spec).outcome().thenAccept(outcome -> {
            if (outcome.assigned()) {
                recordJob(d.getRoom(), d.getId(), outcome.job());
            }
        });
    }

    /** The dispatch state keeps the job as of assignment time (updates are not propagated, as in OSS). */
    private synchronized void recordJob(String roomName, String dispatchId, Job job) {
        Map<String, AgentDispatch> ofRoom = dispatches.get(roomName);
        AgentDispatch d = ofRoom == null ? null : ofRoom.get(dispatchId);
        if (d != null) {
            ofRoom.put(dispatchId, d.toBuilder().setState(d.getState().toBuilder().addJobs(job)).build());
        }
    }

    private Optional<AgentDispatch> findLocked(String dispatchId) {
        return dispatches.values().stream()
                .map(m -> m.get(dispatchId))
                .filter(Objects::nonNull)
                .findFirst();
    }
}
