package io.lkworker.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.worker.JobCost;
import io.lkworker.worker.JobUsage;
import io.lkworker.worker.WorkerSnapshot;
import io.lkworker.worker.WorkerSnapshot.JobSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-job figures as {@code /worker} and {@code /metrics} export them. */
class JobUsageExportTest {

    private static final long STARTED = 1_735_787_045_678L;

    private static WorkerSnapshot snapshot(List<JobSnapshot> jobs, int jobProcesses) {
        return new WorkerSnapshot("a", "AW_1", "JT_ROOM", "registered", true, "", 0.37, jobs, 2, 1, 0, "0.2.0", 1,
                true, "", jobProcesses);
    }

    @Test
    void workerJsonHasEachJobsAgeCpuMemoryAndRoomCounts() {
        JobUsage usage = new JobUsage(12.345, 88_300_000L, 52_100_000L, 2, 3);
        String text = WorkerJson.render(snapshot(List.of(new JobSnapshot("AJ_1", "r", "agent", STARTED, 4242, true, usage)), 4),
                STARTED + 95_400);
        JsonObject json = JsonParser.parseString(text).getAsJsonObject();
        JsonObject job = json.getAsJsonArray("jobs").get(0).getAsJsonObject();
        assertThat(job.get("age_seconds").getAsLong()).isEqualTo(95);
        assertThat(job.get("cpu_percent").getAsDouble()).isEqualTo(12.3);
        assertThat(job.get("rss_bytes").getAsLong()).isEqualTo(88_300_000L);
        assertThat(job.get("pss_bytes").getAsLong()).isEqualTo(52_100_000L);
        assertThat(job.get("participants").getAsInt()).isEqualTo(2);
        assertThat(job.get("tracks").getAsInt()).isEqualTo(3);
        assertThat(json.get("job_processes").getAsInt()).isEqualTo(4);
    }

    @Test
    void unknownFiguresArePresentAsNullNotZero() {
        String text = WorkerJson.render(snapshot(List.of(new JobSnapshot("AJ_1", "r", "agent", STARTED, 0, false)), 0),
                STARTED);
        JsonObject job = JsonParser.parseString(text).getAsJsonObject().getAsJsonArray("jobs").get(0).getAsJsonObject();
        for (String field : List.of("cpu_percent", "rss_bytes", "pss_bytes", "participants", "tracks")) {
            assertThat(job.has(field)).as(field).isTrue();
            assertThat(job.get(field).isJsonNull()).as(field).isTrue();
        }
        assertThat(job.get("age_seconds").getAsLong()).isZero();
    }

    @Test
    void eachJobsCostIsObservedOnceAtItsEndWithoutAJobLabel() {
        PrometheusWorkerMetrics metrics = new PrometheusWorkerMetrics(() -> snapshot(List.of(), 3));
        metrics.jobCost(42.5, new JobCost(3.25, 200L * 1024 * 1024));
        metrics.jobCost(1.0, new JobCost(0.5, null)); // the thread executor: no memory of its own
        Map<String, Double> s = PrometheusText.parse(metrics.scrape());

        assertThat(s.get("lkworker_job_duration_seconds_count")).isEqualTo(2.0);
        assertThat(s.get("lkworker_job_duration_seconds_sum")).isCloseTo(43.5, within(1e-9));
        assertThat(s.get("lkworker_job_cpu_seconds_count")).isEqualTo(2.0);
        assertThat(s.get("lkworker_job_cpu_seconds_sum")).isCloseTo(3.75, within(1e-9));
        assertThat(s.get("lkworker_job_peak_memory_bytes_count")).isEqualTo(1.0);
        assertThat(s.get("lkworker_job_peak_memory_bytes_bucket{le=\"2.68435456E8\"}")).isEqualTo(1.0);
        assertThat(s.get("lkworker_job_peak_memory_bytes_bucket{le=\"1.34217728E8\"}")).isEqualTo(0.0);
        assertThat(s.keySet()).noneMatch(k -> k.contains("job_id") || k.contains("AJ_"));
    }

    @Test
    void thePythonWorkersSeriesAreThereWithItsNodenameLabel() {
        JobSnapshot job = new JobSnapshot("AJ_1", "r", "agent", STARTED, 4242, true);
        PrometheusWorkerMetrics metrics = new PrometheusWorkerMetrics(() -> snapshot(List.of(job), 4));
        metrics.processInitialized(0.8);
        Map<String, Double> s = PrometheusText.parse(metrics.scrape());
        String node = "{nodename=\"" + NodeName.current() + "\"}";

        assertThat(s.get("lk_agents_worker_load" + node)).isEqualTo(0.37);
        assertThat(s.get("lk_agents_active_job_count" + node)).isEqualTo(1.0);
        assertThat(s.get("lk_agents_child_process_count" + node)).isEqualTo(4.0);
        assertThat(s.get("lk_agents_proc_initialize_duration_seconds_count" + node)).isEqualTo(1.0);
        assertThat(s.get("lk_agents_proc_initialize_duration_seconds_bucket{nodename=\"" + NodeName.current()
                + "\",le=\"1.0\"}")).isEqualTo(1.0);
        // ours is fed by the same hook
        assertThat(s.get("lkworker_process_initialize_seconds_count")).isEqualTo(1.0);
    }

    @Test
    void theNodeNameIsTheKernelsHostName() {
        assertThat(NodeName.current()).isNotBlank().doesNotContain("\n");
    }
}
