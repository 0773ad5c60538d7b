package io.lkworker.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lk-worker version}: the same two lines as {@code lk-worker --version}. */
@Command(name = "version", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Print lk-worker's version and the Java runtime it runs on.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new VersionProvider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
