package io.lkworker.cli;

/**
 * An operator command could not do its job for a reason the user can act on (nothing running, a
 * stale pid file, an unreachable health port, a Twirp error). Printed as one line,
 * {@code error: <message>}, without a stack trace; the process exits with {@link #exitCode()}.
 */
final class CommandFailure extends Exception {

    private final int exitCode;

    CommandFailure(String message) {
        this(message, ExitCodes.FAILURE);
    }

    CommandFailure(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
