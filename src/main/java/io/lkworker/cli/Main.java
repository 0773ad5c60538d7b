package io.lkworker.cli;

/** The lk-worker executable: {@code java -cp ... io.lkworker.cli.Main start --agent my-agent.jar}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(LkWorkerCommand.newCommandLine(CliContext.system()).execute(args));
    }
}
