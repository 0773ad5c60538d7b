package io.lkworker.localserver.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobState;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.UpdateJobStatus;

/**
 * The jobs of one worker connection: offers waiting for an AvailabilityResponse, jobs assigned on
 * this connection, and job ids reported by MigrateJobRequest. Guarded by its own
 * monitor; futures are completed by the callers, never under the lock.
 */
final class ConnectionJobs {

    private final Map<String, CompletableFuture<AvailabilityResponse>> pending = new HashMap<>();
    private final Map<String, Job> running = new LinkedHashMap<>();
    private final List<String> migrated = new ArrayList<>();
    private boolean closed;

    /** A new waiter for {@code jobId}'s answer, or null if closed or already pending ("duplicate job assignment"). */
    synchronized CompletableFuture<AvailabilityResponse> openPending(String jobId) {
        if (closed || pending.containsKey(jobId)) {
            return null;
        }
        CompletableFuture<AvailabilityResponse> waiter = new CompletableFuture<>();
        pending.put(jobId, waiter);
        return waiter;
    }

    /** Removes and returns the waiter of an answer, or null for an unknown (late, never offered) job. */
    synchronized CompletableFuture<AvailabilityResponse> takePending(String jobId) {
        return pending.remove(jobId);
    }

    /** Removes this exact waiter; false when it was answered or dropped already. */
    synchronized boolean dropPending(String jobId, CompletableFuture<AvailabilityResponse> waiter) {
        return pending.remove(jobId, waiter);
    }

    /** Starts tracking an assigned job; false once the connection is closed. */
    synchronized boolean addRunning(Job job) {
        if (closed) {
            return false;
        }
        running.put(job.getId(), job);
        return true;
    }

    /** Forgets a running job; true when it was running (used by termination and failed assignment). */
    synchronized boolean removeRunning(String jobId) {
        return running.remove(jobId) != null;
    }

    /**
     * UpdateJobStatus (livekit/livekit {@code pkg/agent/worker.go} {@code Worker.HandleUpdateJob}): only for jobs running here; JS_SUCCESS / JS_FAILED end the job.
     * Returns false for an unknown job (ignored, never a violation).
     */
    synchronized boolean applyUpdate(UpdateJobStatus update, long nowNs) {
        Job job = running.get(update.getJobId());
        if (job == null) {
            return false;
        }
        JobState.Builder state = job.getState().toBuilder().setUpdatedAt(nowNs);
        if (state.getStatus() == JobStatus.JS_PENDING && update.getStatus() != JobStatus.JS_PENDING) {
            state.setStartedAt(nowNs);
        }
        state.setStatus(update.getStatus()).setError(update.getError());
        if (update.getStatus() == JobStatus.JS_SUCCESS || update.getStatus() == JobStatus.JS_FAILED) {
            running.remove(update.getJobId());
        } else {
            running.put(update.getJobId(), job.toBuilder().setState(state).build());
        }
        return true;
    }

    synchronized void recordMigration(List<String> jobIds) {
        migrated.addAll(jobIds);
    }

    /**
     * The connection ended: the real server forgets its jobs (no status, no reassignment). Returns
     * the waiters still pending, for the caller to fail outside the lock.
     */
    synchronized List<CompletableFuture<AvailabilityResponse>> close() {
        closed = true;
        List<CompletableFuture<AvailabilityResponse>> waiters = new ArrayList<>(pending.values());
        pending.clear();
        running.clear();
        return waiters;
    }

    synchronized Set<String> runningIds() {
        return Set.copyOf(running.keySet());
    }

    synchronized Optional<Job> running(String jobId) {
        return Optional.ofNullable(running.get(jobId));
    }

    synchronized List<String> migrated() {
        return List.copyOf(migrated);
    }
}
