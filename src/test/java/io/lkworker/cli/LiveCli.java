package io.lkworker.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/**
 * Runs an lk-worker command in-process on a thread of its own, so a test can watch its output while
 * it runs (drain --wait) and then collect its exit code. For commands that log nothing.
 */
final class LiveCli {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exitCode;

    private LiveCli(Map<String, String> env, String... args) {
        CommandLine cli = LkWorkerCommand.newCommandLine(new CliContext(env, null, (c, a) -> {
            throw new AssertionError("no daemon in operator commands");
        }));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        exitCode = CompletableFuture.supplyAsync(() -> cli.execute(args));
    }

    static LiveCli start(String... args) {
        return new LiveCli(Map.of(), args);
    }

    /** Standard output so far (StringWriter is synchronized). */
    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    CompletableFuture<Integer> exitCode() {
        return exitCode;
    }
}
