package io.lkworker.cli;

import io.lkworker.config.ConfigSources;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What the commands that talk to a running daemon or to LiveKit share: {@code --config}, the
 * environment and config file as the default of every option named like a setting, and output
 * through picocli's writers (so tests capture it). They print for people, not through logging.
 */
abstract class OperatorCommand implements Callable<Integer>, ConfigSourced {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", order = 1,
            description = "Config file to take unset options from (as for start). Env LKW_CONFIG. "
                    + "Default: conf/lk-worker.properties in the install directory, if present.")
    String configFile;

    final CliContext context;
    private final ConfigSources sources;

    OperatorCommand(CliContext context) {
        this.context = context;
        this.sources = new ConfigSources(context.env(), context.home(), () -> configFile);
    }

    @Override
    public ConfigSources sources() {
        return sources;
    }

    @Override
    public final Integer call() throws Exception {
        sources.check();
        return run();
    }

    abstract int run() throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
