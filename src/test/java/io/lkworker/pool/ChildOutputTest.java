package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.lkworker.pool.agents.BundledLibsAgent;
import io.lkworker.pool.agents.TestAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What children log and print reaches the daemon's log; secrets and foreign libraries stay where they belong. */
@Tag("process")
class ChildOutputTest {

    @TempDir
    Path tmp;

    @Test
    void everyLogLineAndPrintedLineArrivesWithPidAndJob() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1)); ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_logs", "log:1000");
            long pid = job.pid();
            assertThat(job.outcome(Duration.ofSeconds(20)).success()).isTrue();
            List<ILoggingEvent> mine = logs.events().stream()
                    .filter(e -> String.valueOf(pid).equals(e.getMDCPropertyMap().get("pid"))
                            && "AJ_logs".equals(e.getMDCPropertyMap().get("job_id"))
                            && "room-AJ_logs".equals(e.getMDCPropertyMap().get("room")))
                    .toList();
            assertThat(mine.stream().filter(e -> e.getLoggerName().equals(TestAgent.class.getName())
                    && e.getFormattedMessage().startsWith("slf4j line ")).count()).isEqualTo(1000);
            assertThat(mine.stream().filter(e -> e.getLoggerName().equals("stdout")
                    && e.getFormattedMessage().startsWith("stdout line ")).count()).isEqualTo(1000);
            assertThat(mine).anyMatch(e -> e.getFormattedMessage().equals("stdout line 999"));
        }
    }

    @Test
    void rawOutputIsBoundedAndOnlyItsEndIsReadWhenTheChildIsGone() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1).withPings(Duration.ofMillis(200), Duration.ofSeconds(60));
        try (PoolHarness h = new PoolHarness(options); ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_flood", "flood:24");
            long pid = job.pid();
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.count(e -> e.getFormattedMessage().equals("flooded")) == 1);
            Path output = h.call(() -> h.pool.liveChildren().stream().filter(c -> c.pid() == pid).findFirst()
                    .orElseThrow().launched().outputFile());
            // the next ping tick empties it, and says so with the child's pid
            await().atMost(Duration.ofSeconds(30)).until(() -> logs.count(e -> e.getFormattedMessage()
                    .startsWith("child wrote 24 MB of raw output")
                    && String.valueOf(pid).equals(e.getMDCPropertyMap().get("pid"))) == 1);
            assertThat(Files.size(output)).isLessThanOrEqualTo(ChildOutput.MAX_OUTPUT_BYTES);
            h.terminate("AJ_flood", "done");
            assertThat(job.outcome(Duration.ofSeconds(20)).success()).isTrue();
            assertThat(logs.count(e -> e.getFormattedMessage().startsWith("child output: "))).isLessThanOrEqualTo(50);
        }
    }

    @Test
    void aChildLoggingUnderEndlesslyManyNamesDoesNotGrowTheDaemonsLoggers() {
        ch.qos.logback.classic.LoggerContext context =
                (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        int before = context.getLoggerList().size();
        ChildLogForwarder forwarder = new ChildLogForwarder();
        for (int i = 0; i < ChildLogForwarder.MAX_LOGGER_NAMES + 500; i++) {
            forwarder.forward(io.lkworker.ipc.proto.Ipc.LogRecord.newBuilder().setLevel("DEBUG")
                    .setLogger("room.logger.n" + i).setMessage("m").build(), 1, "AJ_x", "r");
        }
        assertThat(context.getLoggerList().size() - before).isLessThanOrEqualTo(ChildLogForwarder.MAX_LOGGER_NAMES + 3);
    }

    @Test
    void theTokenIsNeverOnAChildsCommandLineOrEnvironment() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        String token = "eyJ-secret-token-" + System.nanoTime();
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1))) {
            PoolHarness.Job job = h.launch("AJ_token", "await", token);
            long pid = job.pid();
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
            String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                    StandardCharsets.UTF_8);
            assertThat(cmdline).contains("io.lkworker.runner.ChildMain").doesNotContain(token);
            assertThat(environ).doesNotContain(token);
            h.terminate("AJ_token", "done");
            assertThat(job.outcome(Duration.ofSeconds(10)).success()).isTrue();
        }
    }

    @Test
    void anAgentCanBundleItsOwnProtobufAndGson() throws Exception {
        Path jar = AgentJarFixture.build(tmp, BundledLibsAgent.class,
                AgentJarFixture.agentLib("gson-2.8.9.jar"), AgentJarFixture.agentLib("protobuf-java-3.25.5.jar"));
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1)); ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_libs", "");
            assertThat(job.outcome(Duration.ofSeconds(15)).success()).isTrue();
            await().atMost(Duration.ofSeconds(2)).until(() -> logs.count(e -> e.getFormattedMessage().startsWith("bundled ")) == 1);
            String line = logs.events().stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("bundled ")).findFirst().orElseThrow();
            assertThat(line).contains("gson=gson-2.8.9.jar", "protobuf=protobuf-java-3.25.5.jar", "json={\"k\":\"v\"}",
                    "protoBytes=7");
        }
    }
    /** Lines JDK 25.0.3 printed while a trainer child wrote its AOT cache (lk-worker dev, echo agent), and others. */
    @Test
    void onlyTheJvmsAotCacheTrainingLinesAreExpected() {
        assertThat(List.of(
                "Temporary AOTConfiguration recorded: /tmp/lk-worker-root/cds/child-8323.aot.c428.tmp.config",
                "Launching child process /usr/lib/jvm/temurin-25-jdk-amd64/bin/java to assemble AOT cache /tmp/x.aot.tmp using configuration /tmp/x.aot.tmp.config",
                "Picked up JAVA_TOOL_OPTIONS: -Djava.class.path=/tmp/lk-worker-root/cds/classes-b3e9.jar:/opt/lib/protobuf-java-4.36.2.jar -XX:+UseSerialGC",
                "Reading AOTConfiguration /tmp/x.aot.tmp.config and writing AOTCache /tmp/x.aot.tmp",
                "AOTCache creation is complete: /tmp/x.aot.tmp 20803584 bytes",
                "Removed temporary AOT configuration file /tmp/x.aot.tmp.config"))
                .allMatch(ChildOutput::isAotCacheTrainingOutput);
        assertThat(List.of(
                "WARNING: A restricted method in java.lang.System has been called",
                "Picked up JAVA_TOOL_OPTIONS: -Xmx64m",
                "Launching child process /bin/sh",
                "#  SIGSEGV (0xb) at pc=0x00007f, pid=1, tid=2"))
                .noneMatch(ChildOutput::isAotCacheTrainingOutput);
    }
}
