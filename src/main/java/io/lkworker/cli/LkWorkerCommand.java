package io.lkworker.cli;

import io.lkworker.config.ConfigException;
import io.lkworker.runner.AgentLoadException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code lk-worker} root command. Build it with {@link #newCommandLine(CliContext)}, which adds
 * the subcommands and the error handling: a usage error prints one line and a hint on standard
 * error and exits 2; configuration errors print one line each (all of them) and the hint, exit 2; a bad agent jar prints one line and exits 2; a
 * {@link CommandFailure} prints one line and exits with its code; anything else that escapes a
 * command exits 1 with its stack trace.
 */
@Command(name = "lk-worker", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Runs LiveKit agents written in Java.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run 'lk-worker COMMAND --help' for a command's options."})
public final class LkWorkerCommand implements Callable<Integer> {

    /** A mistyped command further than this from every command gets no suggestion. */
    private static final int MAX_SUGGESTION_EDITS = 2;

    @Spec
    CommandSpec spec;

    /** Without a command: show what there is, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The command line with all its subcommands and lk-worker's error handling and exit codes. */
    public static CommandLine newCommandLine(CliContext context) {
        return build(commands(context));
    }

    /**
     * The command line for {@code args}: when the first argument names a command, only that command's
     * model is built, the rest as {@link #newCommandLine(CliContext)}. picocli builds a command's model
     * by reflection when it is added (the options, mixins and help sections of every command), which
     * on a cold JVM is a good part of {@code lk-worker start}'s way to registering
     * (docs/performance.md, "Registration"); a run of one command never looks at the others. Anything
     * else (no command, an option first, {@code help}) gets every command, since the root's usage and
     * its "unknown command" suggestion list them.
     */
    public static CommandLine newCommandLine(CliContext context, String... args) {
        Map<String, Supplier<Object>> commands = commands(context);
        if (args.length > 0 && commands.containsKey(args[0])) {
            return build(Map.of(args[0], commands.get(args[0])));
        }
        return build(commands);
    }

    /**
     * Every command by name, in the order the root's usage lists them; each name is its class's
     * {@code @Command} name (LazyCommandLineTest checks they agree).
     */
    static Map<String, Supplier<Object>> commands(CliContext context) {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("start", () -> new StartCommand(context));
        commands.put("dev", () -> new DevCommand(context));
        commands.put("drain", () -> new DrainCommand(context));
        commands.put("status", () -> new StatusCommand(context));
        commands.put("dispatch", () -> new DispatchCommand(context));
        commands.put("talk", () -> new TalkCommand(context));
        commands.put("console", () -> new ConsoleCommand(context));
        commands.put("server", ServerCommand::new);
        commands.put("version", VersionCommand::new);
        return commands;
    }

    /** The root with {@code commands} (in their order) as its subcommands. */
    private static CommandLine build(Map<String, Supplier<Object>> commands) {
        CommandLine root = new CommandLine(new LkWorkerCommand());
        for (Supplier<Object> factory : commands.values()) {
            Object command = factory.get();
            CommandLine sub = new CommandLine(command);
            if (command instanceof ConfigSourced sourced) {
                sub.setDefaultValueProvider(sourced.sources());
            }
            root.addSubcommand(sub);
        }
        // 'lk-worker help' and 'lk-worker help COMMAND', beside --help
        root.addSubcommand("help", new CommandLine.HelpCommand());
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
            boolean unknownCommand = !command.getSubcommands().isEmpty() && !unmatchedArgs.isEmpty()
                    && !unmatchedArgs.get(0).startsWith("-");
            if (unknownCommand) {
                message = "unknown command '" + unmatchedArgs.get(0) + "'";
                // picocli's own suggestions may miss the obvious one ("strat" gets status, drain, dispatch)
                String closest = closest(unmatchedArgs.get(0), List.copyOf(command.getSubcommands().keySet()));
                if (editDistance(unmatchedArgs.get(0), closest) <= MAX_SUGGESTION_EDITS) {
                    message += " (did you mean " + closest + "?)";
                }
            } else if (!unmatched.getSuggestions().isEmpty()) {
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
        } else if (e instanceof ConfigException config) {
            // every problem found, one line each (the agent jar's among them), then where to read more
            for (String problem : config.problems()) {
                err.println("error: " + firstLine(problem));
            }
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

    /** The candidate with the fewest edits (a swap of neighbours counts as one) from {@code typed}; first wins ties. */
    static String closest(String typed, List<String> candidates) {
        String best = candidates.get(0);
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = editDistance(typed, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
