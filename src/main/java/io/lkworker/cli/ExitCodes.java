package io.lkworker.cli;

import io.lkworker.config.ConfigException;
import io.lkworker.runner.AgentLoadException;
import picocli.CommandLine;
import picocli.CommandLine.IExitCodeExceptionMapper;

/** The process exit codes, and which exceptions mean which. */
public final class ExitCodes implements IExitCodeExceptionMapper {

    public static final int OK = 0;
    /** Something failed at run time (lost the server for good, internal error). */
    public static final int FAILURE = 1;
    /** Bad usage, configuration or agent jar: fix the input; retrying will not help. */
    public static final int USAGE = 2;

    @Override
    public int getExitCode(Throwable exception) {
        if (exception instanceof CommandFailure failure) {
            return failure.exitCode();
        }
        if (exception instanceof ConfigException || exception instanceof AgentLoadException
                || exception instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        return FAILURE;
    }
}
