package io.lkworker.localserver.agent;

import com.google.protobuf.util.JsonFormat;
import io.lkworker.localserver.http.Close;
import io.lkworker.localserver.http.WebSocketConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import livekit.LivekitAgent.AvailabilityRequest;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobAssignment;
import livekit.LivekitAgent.JobTermination;
import livekit.LivekitAgent.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the server sends on one worker connection: protocol messages in a guaranteed order,
 * in binary or (after a text frame) protojson, plus the job operations that pair a send with the
 * bookkeeping in {@link ConnectionJobs}. Any thread may call it; a failed write drops the
 * connection, and the connection thread then cleans up.
 */
final class WorkerOutbox {

    private static final Logger log = LoggerFactory.getLogger(WorkerOutbox.class);

    /** How long a server-initiated closing handshake may take before the socket is dropped (wsprotocol.go: 5 s). */
    static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private final WebSocketConnection ws;
    private final ConnectionJobs jobs;
    private final BooleanSupplier registered;
    private final ScheduledExecutorService timer;
    private final Executor io;
    private final String name;
    /**
     * Orders protocol messages on the wire: held while writing one, and across joining the pool +
     * writing the RegisterWorkerResponse, so no AvailabilityRequest can overtake that response.
     */
    private final Object sendOrder = new Object();
    /** Switched by the kind of the last data frame, like the real server's JSON mode
     * (livekit/livekit {@code pkg/service/wsprotocol.go} {@code useJSON}). */
    private volatile boolean json;

    WorkerOutbox(WebSocketConnection ws, ConnectionJobs jobs, BooleanSupplier registered,
            ScheduledExecutorService timer, Executor io, String name) {
        this.ws = ws;
        this.jobs = jobs;
        this.registered = registered;
        this.timer = timer;
        this.io = io;
        this.name = name;
    }

    void useJson(boolean useJson) {
        json = useJson;
    }

    /** Sends a server message; false (and the connection dropped) when the write fails. */
    boolean send(ServerMessage msg) {
        try {
            synchronized (sendOrder) {
                if (json) {
                    ws.sendText(JsonFormat.printer().print(msg));
                } else {
                    ws.sendBinary(msg.toByteArray());
                }
            }
            return true;
        } catch (IOException e) {
            log.debug("{}: write of {} failed: {}", name, msg.getMessageCase(), e.toString());
            ws.abort();
            return false;
        }
    }

    /** Runs {@code first} (non-blocking bookkeeping) and sends {@code msg} before any other message. */
    boolean sendAfter(Runnable first, ServerMessage msg) {
        synchronized (sendOrder) {
            first.run();
            return send(msg);
        }
    }

    /**
     * Registers the pending answer, then sends the AvailabilityRequest. The future completes on the
     * connection thread with the answer, or exceptionally with {@link WorkerSession.WorkerClosedException},
     * or with {@link TimeoutException} through {@link #expire}.
     */
    CompletableFuture<AvailabilityResponse> requestAvailability(Job job) {
        if (!registered.getAsBoolean()) {
            return CompletableFuture.failedFuture(new WorkerSession.WorkerClosedException());
        }
        CompletableFuture<AvailabilityResponse> answer = jobs.openPending(job.getId());
        if (answer == null) {
            // closed in the meantime, or a second concurrent offer of the same job
            return CompletableFuture.failedFuture(ws.isOpen() ? new IllegalStateException("duplicate job assignment")
                    : new WorkerSession.WorkerClosedException());
        }
        boolean sent = send(ServerMessage.newBuilder()
                .setAvailability(AvailabilityRequest.newBuilder().setJob(job).setResuming(false)).build());
        if (!sent && jobs.dropPending(job.getId(), answer)) {
            answer.completeExceptionally(new WorkerSession.WorkerClosedException());
        }
        return answer;
    }

    /** The availability deadline passed; a later answer will be logged as unknown and ignored. */
    void expire(String jobId, CompletableFuture<AvailabilityResponse> answer) {
        if (jobs.dropPending(jobId, answer)) {
            answer.completeExceptionally(new TimeoutException("agent worker availability timeout"));
        }
    }

    /** Records the job as running on this connection, then sends the JobAssignment. False if the worker is gone. */
    boolean assign(Job job, String token, String url) {
        if (!registered.getAsBoolean() || !jobs.addRunning(job)) {
            return false;
        }
        JobAssignment.Builder a = JobAssignment.newBuilder().setJob(job).setToken(token);
        if (url != null) {
            a.setUrl(url);
        }
        if (!send(ServerMessage.newBuilder().setAssignment(a).build())) {
            jobs.removeRunning(job.getId());
            return false;
        }
        return true;
    }

    /**
     * Sends JobTermination and forgets the job at once, without waiting for the worker (livekit/livekit
     * {@code pkg/agent/worker.go} {@code Worker.TerminateJob}).
     * False when the job is not running on this connection (the real server then sends nothing).
     */
    boolean terminate(String jobId) {
        if (!jobs.removeRunning(jobId)) {
            return false;
        }
        send(ServerMessage.newBuilder().setTermination(JobTermination.newBuilder().setJobId(jobId)).build());
        log.info("{}: terminated job {}", name, jobId);
        return true;
    }

    /** An empty ping frame; false when it could not be written (the ping loop then stops, as in wsprotocol.go). */
    boolean ping() {
        if (ws.closeSent() || !ws.isOpen()) {
            return true; // closing: nothing to do, the read side ends the connection
        }
        try {
            ws.sendPing();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** ABRUPT drops the socket; the others start a closing handshake bounded by 5 s. */
    void close(Close how) {
        if (how == Close.ABRUPT) {
            ws.abort();
            return;
        }
        io.execute(() -> {
            try {
                ws.sendClose(how.code());
            } catch (IOException e) {
                ws.abort();
            }
        });
        timer.schedule(ws::abort, CLOSE_HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
