package io.lkworker.health;

import io.lkworker.worker.JobCost;
import io.lkworker.worker.WorkerMetrics;
import io.lkworker.worker.WorkerSnapshot;
import io.lkworker.worker.WorkerState;
import io.lkworker.logging.BoundedAsyncAppender;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The worker's Prometheus metrics, through the official client (documented in
 * {@code docs/operations.md}).
 *
 * <p>Counters and histograms are fed by the {@link WorkerMetrics} hooks, which the worker calls on its
 * loop thread; the client's metrics are lock-free for writers, so a hook never blocks the loop.
 * Gauges are callbacks that read the latest {@link WorkerSnapshot} when {@code /metrics} is scraped,
 * on an HTTP thread: they see exactly what {@code /worker} sees and cost nothing between scrapes.
 *
 * <p>Each instance owns its {@link PrometheusRegistry} (never the client's default one), so two
 * workers or two tests in one JVM do not collide.
 */
public final class PrometheusWorkerMetrics implements WorkerMetrics {

    /** {@code Content-Type} of {@link #write}: Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** Outcomes the worker reports; pre-created so a dashboard sees 0 rather than no series. */
    static final String[] OUTCOMES = {"success", "failed"};
    static final String[] ANSWERS = {"accepted", "rejected", "declined"};
    static final String[] KILL_REASONS = {"memory", "unresponsive", "shutdown_timeout", "initialize_timeout"};
    static final String[] MALFORMED = {"availability", "assignment", "termination", "empty"};

    /** Answers must beat the server's availability deadline; the interesting range is ms to ~3 s. */
    static final double[] ANSWER_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5};
    /** Warm child: tens of ms; cold start of a child JVM: seconds. */
    static final double[] START_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    /** A child JVM's boot + agent prewarm: sub-second to a minute (model loading). */
    static final double[] INIT_BUCKETS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};
    /** The Python worker's buckets for lk_agents_proc_initialize_duration_seconds, kept so both chart alike. */
    static final double[] PYTHON_INIT_BUCKETS = {0.1, 0.5, 1, 2, 5, 10};
    /** Jobs last from seconds (a test, a short call) to hours (a meeting). */
    static final double[] JOB_SECONDS_BUCKETS = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400};
    /** A job's CPU: from a tenth of a second (idle listener) to hours of a core (media processing). */
    static final double[] JOB_CPU_BUCKETS = {0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400};
    /** A job process's peak RSS: a minimal JVM is ~60 MiB; buckets in powers of two up to 8 GiB. */
    static final double[] JOB_MEMORY_BUCKETS = {mib(64), mib(128), mib(256), mib(512), mib(1024), mib(2048),
            mib(4096), mib(8192)};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer =
            PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build();
    private volatile Supplier<WorkerSnapshot> snapshots = () -> null;

    private final Counter jobs;
    private final Counter kills;
    private final Counter reconnects;
    private final Counter malformed;
    private final Histogram answers;
    private final Histogram assignmentToRunning;
    private final Histogram initialize;
    private final Histogram jobDuration;
    private final Histogram jobCpu;
    private final Histogram jobPeakMemory;
    /** The Python worker's series are labelled with the host name ({@code nodename}); ours have no such label. */
    private final Histogram pythonInitialize;
    private final String nodename = NodeName.current();

    /** Gauges stay empty until {@link #observe} gives them a snapshot source. */
    public PrometheusWorkerMetrics() {
        jobs = Counter.builder().name("lkworker_jobs_total")
                .help("Jobs that ended, by outcome (success or failed)")
                .labelNames("outcome").withoutExemplars().register(registry);
        kills = Counter.builder().name("lkworker_process_kills_total")
                .help("Job processes killed by the worker, by reason")
                .labelNames("reason").withoutExemplars().register(registry);
        reconnects = Counter.builder().name("lkworker_reconnects_total")
                .help("Re-registrations with the LiveKit server after a lost connection")
                .withoutExemplars().register(registry);
        malformed = Counter.builder().name("lkworker_malformed_server_messages_total")
                .help("Messages from the LiveKit server rejected as malformed (not acted on), by message")
                .labelNames("message").withoutExemplars().register(registry);
        answers = Histogram.builder().name("lkworker_availability_answer_seconds")
                .help("Time from an availability request to the worker's answer, by answer")
                .labelNames("answer").classicOnly().classicUpperBounds(ANSWER_BUCKETS)
                .withoutExemplars().register(registry);
        assignmentToRunning = Histogram.builder().name("lkworker_assignment_to_running_seconds")
                .help("Time from a job assignment to its entrypoint running")
                .classicOnly().classicUpperBounds(START_BUCKETS).withoutExemplars().register(registry);
        initialize = Histogram.builder().name("lkworker_process_initialize_seconds")
                .help("Time for a job process to start and finish its prewarm")
                .classicOnly().classicUpperBounds(INIT_BUCKETS).withoutExemplars().register(registry);
        // Per job, observed once at its end. No job-id label: one series per job would grow without bound.
        jobDuration = Histogram.builder().name("lkworker_job_duration_seconds")
                .help("How long each job ran, from its assignment to its end")
                .classicOnly().classicUpperBounds(JOB_SECONDS_BUCKETS).withoutExemplars().register(registry);
        jobCpu = Histogram.builder().name("lkworker_job_cpu_seconds")
                .help("CPU time (user + system) each job used: its process, or with the thread executor its entrypoint thread")
                .classicOnly().classicUpperBounds(JOB_CPU_BUCKETS).withoutExemplars().register(registry);
        jobPeakMemory = Histogram.builder().name("lkworker_job_peak_memory_bytes")
                .help("Highest resident memory (RSS) of each job's process sampled while the job ran (not with the thread executor)")
                .classicOnly().classicUpperBounds(JOB_MEMORY_BUCKETS).withoutExemplars().register(registry);
        // Name, type, label and buckets as the Python worker's (livekit/agents,
        // livekit-agents/livekit/agents/telemetry/metrics.py, PROC_INITIALIZE_TIME).
        pythonInitialize = Histogram.builder().name("lk_agents_proc_initialize_duration_seconds")
                .help("Time taken to initialize a process (as the Python worker's; the same as lkworker_process_initialize_seconds)")
                .labelNames("nodename").classicOnly().classicUpperBounds(PYTHON_INIT_BUCKETS)
                .withoutExemplars().register(registry);
        pythonInitialize.initLabelValues(nodename);
        for (String outcome : OUTCOMES) {
            jobs.initLabelValues(outcome);
        }
        for (String reason : KILL_REASONS) {
            kills.initLabelValues(reason);
        }
        for (String message : MALFORMED) {
            malformed.initLabelValues(message);
        }
        for (String answer : ANSWERS) {
            answers.initLabelValues(answer);
        }
        registerGauges();
        registerPythonGauges();
    }

    /** Metrics whose gauges read {@code snapshots} at scrape time. */
    public PrometheusWorkerMetrics(Supplier<WorkerSnapshot> snapshots) {
        this();
        observe(snapshots);
    }

    /**
     * Sets where the gauges read the worker's state ({@link HealthServer} calls this with its own
     * supplier, so {@code /metrics} and {@code /worker} agree).
     */
    public void observe(Supplier<WorkerSnapshot> snapshots) {
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
    }

    private void registerGauges() {
        // the log queue's count is the JVM's (logging is configured once per process), read at scrape time
        CounterWithCallback.builder().name("lkworker_log_records_dropped_total")
                .help("Log records dropped because standard output was not read fast enough (the log queue was full)")
                .callback(cb -> cb.call(BoundedAsyncAppender.droppedTotal())).register(registry);
        GaugeWithCallback.builder().name("lkworker_processes")
                .help("Job processes that are warm and idle, or still starting")
                .labelNames("state")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(s.idleProcesses(), "idle");
                        cb.call(s.startingProcesses(), "starting");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("lkworker_running_jobs")
                .help("Jobs running on this worker")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(s.jobCount());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("lkworker_worker_load")
                .help("Worker load in [0, 1] as reported to the LiveKit server")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(s.load());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("lkworker_connected")
                .help("1 while the worker is registered with the server (registered or draining), else 0")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(connected(s.state()) ? 1 : 0);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("lkworker_worker_state")
                .help("1 for the worker's current state, 0 for the others")
                .labelNames("state")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        boolean known = false;
                        for (WorkerState state : WorkerState.values()) {
                            boolean current = state.label().equals(s.state());
                            known |= current;
                            cb.call(current ? 1 : 0, state.label());
                        }
                        if (!known && s.state() != null && !s.state().isEmpty()) {
                            cb.call(1, s.state());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("lkworker_info")
                .help("Constant 1, labelled with the worker's version, agent name and worker type")
                .labelNames("version", "agent_name", "worker_type")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(1, nz(s.version()), nz(s.agentName()), nz(s.workerType()));
                    }
                }).register(registry);
    }

    /**
     * The series users of LiveKit's Python worker already chart, with its names, types and
     * {@code nodename} label (livekit/agents, livekit-agents/livekit/agents/telemetry/metrics.py:
     * CPU_LOAD_GAUGE, RUNNING_JOB_GAUGE, CHILD_PROC_GAUGE). Where Python counts every descendant
     * process (psutil children, recursive) we count the job processes (idle, starting, running).
     */
    private void registerPythonGauges() {
        GaugeWithCallback.builder().name("lk_agents_worker_load")
                .help("Worker load as reported to the LiveKit server, in [0, 1] (as the Python worker's)")
                .labelNames("nodename")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(s.load(), nodename);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("lk_agents_active_job_count")
                .help("Active jobs (as the Python worker's; the same as lkworker_running_jobs)")
                .labelNames("nodename")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(s.jobCount(), nodename);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("lk_agents_child_process_count")
                .help("Job processes alive: idle, starting and running a job (0 with the thread executor)")
                .labelNames("nodename")
                .callback(cb -> {
                    WorkerSnapshot s = snapshot();
                    if (s != null) {
                        cb.call(s.jobProcesses(), nodename);
                    }
                }).register(registry);
    }

    static boolean connected(String state) {
        return WorkerState.REGISTERED.label().equals(state) || WorkerState.DRAINING.label().equals(state);
    }

    private WorkerSnapshot snapshot() {
        return snapshots.get();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void jobEnded(String outcome) {
        jobs.labelValues(nz(outcome)).inc();
    }

    @Override
    public void availabilityAnswered(String answer, double seconds) {
        answers.labelValues(nz(answer)).observe(seconds);
    }

    @Override
    public void assignmentToRunning(double seconds) {
        assignmentToRunning.observe(seconds);
    }

    @Override
    public void reconnected() {
        reconnects.inc();
    }

    @Override
    public void processKilled(String reason) {
        kills.labelValues(nz(reason)).inc();
    }

    @Override
    public void malformedServerMessage(String message) {
        malformed.labelValues(nz(message)).inc();
    }

    @Override
    public void processInitialized(double seconds) {
        initialize.observe(seconds);
        pythonInitialize.labelValues(nodename).observe(seconds);
    }

    @Override
    public void jobCost(double durationSeconds, JobCost cost) {
        jobDuration.observe(durationSeconds);
        if (cost.cpuSeconds() != null) {
            jobCpu.observe(cost.cpuSeconds());
        }
        if (cost.peakRssBytes() != null) {
            jobPeakMemory.observe(cost.peakRssBytes());
        }
    }

    private static double mib(int n) {
        return n * 1024.0 * 1024.0;
    }

    /** This instance's registry (to add more collectors, e.g. JVM metrics, at wiring time). */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Writes a scrape in the Prometheus text format 0.0.4. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** A scrape as a string (tests, {@code lk-worker status}). */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
