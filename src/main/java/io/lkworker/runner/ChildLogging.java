package io.lkworker.runner;

import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.ipc.proto.Ipc.LogRecord;
import java.io.PrintStream;
import org.slf4j.LoggerFactory;

/**
 * Routes everything a child writes to the daemon: SLF4J through {@link IpcLoggingProvider} (no
 * logging backend in the child), and System.out/err line by line through {@link LineCapturingPrintStream}.
 */
final class ChildLogging {

    private final ParentLink link;
    private LineCapturingPrintStream out;
    private LineCapturingPrintStream err;

    ChildLogging(ParentLink link) {
        this.link = link;
    }

    void install(String level) {
        // Initializes SLF4J while System.err is still the JVM's own (its diagnostics must not loop
        // back through the capturing stream) and checks that the launcher selected our provider.
        if (!(LoggerFactory.getILoggerFactory() instanceof IpcLoggerFactory)) {
            System.err.println("lk-worker child: SLF4J provider is " + LoggerFactory.getILoggerFactory().getClass().getName()
                    + ", not IpcLoggingProvider (-Dslf4j.provider missing?); SLF4J logs will not reach the daemon");
        }
        IpcLoggerFactory.attach(link, level);

        out = new LineCapturingPrintStream(line -> sendLine("stdout", "INFO", line));
        err = new LineCapturingPrintStream(line -> sendLine("stderr", "WARN", line));
        System.setOut(out);
        System.setErr(err);
    }

    /** Emits partial lines; called just before the child exits. */
    void flush() {
        if (out != null) {
            out.flushPartialLine();
            err.flushPartialLine();
        }
    }

    private void sendLine(String stream, String level, String line) {
        LogRecord.Builder record = LogRecord.newBuilder()
                .setLevel(level)
                .setLogger(stream)
                .setStream(stream)
                .setMessage(line);
        link.send(Envelope.newBuilder().setLog(IpcLoggerFactory.stamped(record)).build());
    }

    /** The stream the JVM started with, for last-resort messages (the daemon captures it to a file). */
    static PrintStream originalStderr() {
        return System.err;
    }
}
