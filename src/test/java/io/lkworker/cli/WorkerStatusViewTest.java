package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The jobs table of {@code lk-worker status}, from a new daemon's JSON and from an older one's. */
class WorkerStatusViewTest {

    private static final long NOW = Instant.parse("2026-12-07T21:30:00Z").toEpochMilli();

    private static List<String> row(String rendered, String jobId) {
        return rendered.lines().filter(l -> l.startsWith(jobId + " ")).findFirst()
                .map(l -> List.of(l.trim().split("\\s{2,}"))).orElseThrow();
    }

    @Test
    void aJobsFiguresInHumanUnits() {
        JsonObject w = JsonParser.parseString("""
                {"state": "registered", "jobs": [
                  {"id": "AJ_a", "room": "support", "pid": 4242, "running": true, "started_at": "2026-12-07T21:00:00Z",
                   "age_seconds": 3725, "cpu_percent": 12.34, "rss_bytes": 88294195, "pss_bytes": 54525952,
                   "participants": 2, "tracks": 3}]}
                """).getAsJsonObject();
        String out = WorkerStatusView.render(w, NOW);
        assertThat(out).contains("JOB   ROOM     PID   AGE    CPU%  RSS       PSS       PARTICIPANTS  TRACKS  STATE");
        assertThat(row(out, "AJ_a")).containsExactly("AJ_a", "support", "4242", "1h02m", "12.3", "84.2 MiB",
                "52.0 MiB", "2", "3", "running");
    }

    @Test
    void figuresTheDaemonDoesNotKnowOrDoesNotSendAreDashes() {
        JsonObject unknown = JsonParser.parseString("""
                {"jobs": [{"id": "AJ_t", "room": "r", "pid": 77, "running": false, "age_seconds": 4,
                   "cpu_percent": 0.0, "rss_bytes": null, "pss_bytes": null, "participants": null, "tracks": null}]}
                """).getAsJsonObject();
        assertThat(row(WorkerStatusView.render(unknown, NOW), "AJ_t"))
                .containsExactly("AJ_t", "r", "77", "4s", "0.0", "-", "-", "-", "-", "starting");

        // a daemon from before these fields: its age comes from started_at, the rest is unknown
        JsonObject older = JsonParser.parseString("""
                {"jobs": [{"id": "AJ_o", "room": "r", "pid": 78, "running": true, "started_at": "2026-12-07T21:27:55Z"}]}
                """).getAsJsonObject();
        assertThat(row(WorkerStatusView.render(older, NOW), "AJ_o"))
                .containsExactly("AJ_o", "r", "78", "2m05s", "-", "-", "-", "-", "-", "running");
    }

    @Test
    void unitsAndDurations() {
        assertThat(UsageFormat.bytes(512.0)).isEqualTo("512 B");
        assertThat(UsageFormat.bytes(1536.0)).isEqualTo("1.5 KiB");
        assertThat(UsageFormat.bytes(3.0 * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB");
        assertThat(UsageFormat.bytes(null)).isEqualTo("-");
        assertThat(UsageFormat.duration(59)).isEqualTo("59s");
        assertThat(UsageFormat.duration(60)).isEqualTo("1m00s");
        assertThat(UsageFormat.duration(7260)).isEqualTo("2h01m");
    }
}
