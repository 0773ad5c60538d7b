package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.Daemon;
import io.lkworker.config.ConfigResolver;
import io.lkworker.config.WorkerConfig;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.serverlink.Backoff;
import io.lkworker.worker.Worker;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What --help says against what the code does. */
class HelpTextTest {

    private static String help(String... args) throws Exception {
        CliRun.Result r = new CliRun().run(args);
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out().replaceAll("\\s+", " ");
    }

    @Test
    void helpIsACommand() throws Exception {
        String root = help("help");
        String start = help("help", "start");

        assertThat(root).contains("Commands:").contains(" start ").contains(" drain ").contains(" help ");
        assertThat(start).isEqualTo(help("start", "--help"));
    }

    @Test
    void aPidFileIsAlwaysWrittenInTheRunDirectoryUnlessOneIsGiven() throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("agent", "a.jar", "url", "ws://h", "api-key", "k",
                "api-secret", "s", "run-dir", "/run/x"));
        WorkerConfig config = new ConfigResolver(Mode.PROD, Map.of()).resolve(settings);

        assertThat(Daemon.pidFile(config)).hasToString("/run/x/lk-worker.pid");
        for (String command : new String[] {"start", "dev"}) {
            assertThat(help(command, "--help"))
                    .contains("--pid-file=FILE The daemon's pid file, read by drain and status (always written). "
                            + "Default: lk-worker.pid in the run directory; dev: lk-worker-dev.pid.");
        }
    }

    @Test
    void everyExitCodeOfTheDaemonIsListed() throws Exception {
        String start = help("start", "--help");
        String dev = help("dev", "--help");

        assertThat(start).contains("Exit codes: " + Worker.EXIT_OK + " stopped cleanly",
                Worker.EXIT_FAILURE + " runtime failure", ExitCodes.USAGE + " bad usage,",
                Worker.EXIT_DRAIN_TIMED_OUT + " the drain timed out", Worker.EXIT_FORCED + " stopped by a second");
        // dev's first signal stops the jobs itself: no drain to time out
        assertThat(dev).contains(Worker.EXIT_OK + " stopped cleanly", ExitCodes.USAGE + " bad usage,",
                Worker.EXIT_FORCED + " stopped by a second").doesNotContain("drain timed out");
    }

    @Test
    void maxRetryCountsRetriesAsTheBackoffDoes() throws Exception {
        Matcher said = Pattern.compile("--max-retry=N Connection retries after a failed attempt before giving up: "
                + "N \\+ 1 attempts in all\\. Default: (\\d+)\\.").matcher(help("start", "--help"));
        assertThat(said.find()).isTrue();
        assertThat(Integer.parseInt(said.group(1))).isEqualTo(new ConfigResolver(Mode.PROD, Map.of())
                .resolve(Map.of("agent", "a.jar", "url", "ws://h", "api-key", "k", "api-secret", "s")).maxRetry());

        Backoff backoff = new Backoff(2); // --max-retry 2
        int attempts = 1;
        while (backoff.onFailure() >= 0) {
            attempts++;
        }
        assertThat(attempts).as("attempts before giving up").isEqualTo(2 + 1);
    }

    @Test
    void drainSaysWhatASecondSignalDoes() throws Exception {
        assertThat(help("drain", "--help")).contains("a second SIGTERM stops its jobs at once")
                .contains("--now Stop the running jobs at once");
    }
}
