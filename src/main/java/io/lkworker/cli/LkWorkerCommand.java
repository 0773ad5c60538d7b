package io.lkworker.cli;

import io.lkworker.config.ConfigException;
import io.lkworker.runner.AgentLoadException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code lk-worker} root command. Build it with {@link #newCommandLine(CliContext)}, which adds
 * the subcommands and the error handling: a usage or configuration error prints one line and a
 * hint on standard error and exits 2; a bad agent jar prints one line and exits 2; a
 * {@link CommandFailure} prints one line and exits with its code; anything else that escapes a
 * command exits 1 with its stack trace.
 */
@Command(name = "lk-worker", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Runs LiveKit agents written in Java.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run 'lk-worker COMMAND --help' for a command's options."})
public final class LkWorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Without a command: show what there is, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The command line with its subcommands and lk-worker's error handling and exit codes. */
    public static CommandLine newCommandLine(CliContext context) {
        CommandLine root = new CommandLine(new LkWorkerCommand());
        List<Object> commands = List.of(new StartCommand(context), new DevCommand(context),
                new DrainCommand(context), new StatusCommand(context), new DispatchCommand(context),
                new ConsoleCommand(context), new VersionCommand());
        for (Object command : commands) {
            CommandLine sub = new CommandLine(command);
            if (command instanceof ConfigSourced sourced) {
                sub.setDefaultValueProvider(sourced.sources());
            }
            root.addSubcommand(sub);
        }
        // Set after adding the subcommands: these setters propagate to existing subcommands only.
        root.setParameterExceptionHandler(LkWorkerCommand::onBadUsage);
        root.setExecutionExceptionHandler(LkWorkerCommand::onFailure);
        root.setExitCodeExceptionMapper(new ExitCodes());
        return root;
    }

    private static int onBadUsage(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String message = firstLine(e.getMessage());
        if (e instanceof UnmatchedArgumentException unmatched) {
            List<String> unmatchedArgs = unmatched.getUnmatched();
            if (!command.getSubcommands().isEmpty() && !unmatchedArgs.isEmpty() && !unmatchedArgs.get(0).startsWith("-")) {
                message = "unknown command '" + unmatchedArgs.get(0) + "'";
            }
            if (!unmatched.getSuggestions().isEmpty()) {
                // picocli lists loose matches too; the first is the closest
                message += " (did you mean " + unmatched.getSuggestions().get(0) + "?)";
            }
        }
        PrintWriter err = command.getErr();
        err.println("error: " + message);
        err.println(hint(command));
        err.flush();
        return ExitCodes.USAGE;
    }

    private static int onFailure(Exception e, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        if (e instanceof CommandFailure) {
            // expected and actionable (nothing running, server refused): the message says it all
            err.println("error: " + firstLine(e.getMessage()));
        } else if (e instanceof ConfigException) {
            err.println("error: " + firstLine(e.getMessage()));
            err.println(hint(command));
        } else if (e instanceof AgentLoadException) {
            err.println("error: " + firstLine(e.getMessage()));
        } else {
            // Not an input problem: the stack trace is what a bug report needs.
            err.println("error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return command.getExitCodeExceptionMapper().getExitCode(e);
    }

    private static String hint(CommandLine command) {
        return "Try '" + command.getCommandSpec().qualifiedName() + " --help'";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return (newline >= 0 ? message.substring(0, newline) : message).strip();
    }
}
