package io.lkworker.cli;

import io.lkworker.config.WorkerConfig;
import io.lkworker.runner.LoadedAgent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;

/**
 * Runs the lk-worker command line in-process with a given environment and install directory and a
 * stand-in daemon that records what it was handed. Captures the command's out and err, and
 * System.out (where logs go) while it runs.
 */
final class CliRun {

    record Result(int exitCode, String out, String err, String logs, WorkerConfig config, LoadedAgent agent) {
        /** Everything the run printed anywhere. */
        String all() {
            return out + err + logs;
        }
    }

    private Map<String, String> env = Map.of();
    private Path home;
    private int daemonExitCode = 0;
    private RuntimeException daemonFailure;

    CliRun env(Map<String, String> env) {
        this.env = env;
        return this;
    }

    CliRun home(Path home) {
        this.home = home;
        return this;
    }

    CliRun daemonExits(int code) {
        this.daemonExitCode = code;
        return this;
    }

    CliRun daemonThrows(RuntimeException failure) {
        this.daemonFailure = failure;
        return this;
    }

    Result run(String... args) throws Exception {
        AtomicReference<WorkerConfig> config = new AtomicReference<>();
        AtomicReference<LoadedAgent> agent = new AtomicReference<>();
        // A private run directory unless the test sets one: a daemon running on this machine (whose pid
        // file sits in the default run directory) must not make 'start' refuse to run in a test.
        Map<String, String> effectiveEnv = new java.util.HashMap<>(env);
        if (!effectiveEnv.containsKey("LKW_RUN_DIR")) {
            effectiveEnv.put("LKW_RUN_DIR", java.nio.file.Files.createTempDirectory("lkw-cli-run").toString());
        }
        CliContext context = new CliContext(effectiveEnv, home, (c, a) -> {
            config.set(c);
            agent.set(a);
            if (daemonFailure != null) {
                throw daemonFailure;
            }
            return daemonExitCode;
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream realOut = System.out;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        // Swap System.out before building the command line: picocli's default execution strategy
        // remembers System.out when created and, if it changed by execute(), re-points getOut() to it.
        System.setOut(new PrintStream(logs, true, StandardCharsets.UTF_8));
        int code;
        try {
            CommandLine cli = LkWorkerCommand.newCommandLine(context);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            code = cli.execute(args);
            LoggingSetup.flush(); // records wait in the log queue: all of them into this run's output
        } finally {
            System.setOut(realOut);
        }
        if (agent.get() != null) {
            agent.get().close();
        }
        return new Result(code, out.toString(), err.toString(), logs.toString(StandardCharsets.UTF_8),
                config.get(), agent.get());
    }
}
