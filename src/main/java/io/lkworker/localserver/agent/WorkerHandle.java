package io.lkworker.localserver.agent;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.WorkerStatus;

/** A live view of one registered worker connection. All methods are thread-safe. */
public interface WorkerHandle {

    /** {@code AW_…}, new for every connection. */
    String workerId();

    long connectionId();

    /** The API key of the worker's connect token; job tokens for this worker are signed with it. */
    String apiKey();

    RegisterWorkerRequest registration();

    /**
     * The deployment the worker registered with ({@code RegisterWorkerRequest.deployment}, field 9,
     * which the compiled proto snapshot does not know yet: it is read from the unknown fields).
     */
    String deployment();

    /** WS_AVAILABLE until an UpdateWorkerStatus carrying a status says otherwise. */
    WorkerStatus status();

    /** Last reported load (0 until the first UpdateWorkerStatus). */
    float load();

    boolean isOpen();

    /** Jobs assigned on this connection and not yet ended. */
    Set<String> runningJobIds();

    /** The job as the server tracks it (state updated by UpdateJobStatus). */
    Optional<Job> runningJob(String jobId);

    /** Job ids reported through MigrateJobRequest (recorded, otherwise ignored as in OSS). */
    List<String> migratedJobIds();

    /** Completes when the connection is gone, whoever closed it. */
    CompletableFuture<Void> closed();
}
