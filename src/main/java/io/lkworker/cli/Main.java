package io.lkworker.cli;

import io.lkworker.webrtc.NativeLibrary;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

/** The lk-worker executable: {@code java -cp ... io.lkworker.cli.Main start --agent my-agent.jar}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = LkWorkerCommand.newCommandLine(CliContext.system()).execute(args);
        // log records wait in a queue (LoggingSetup): write them before standard output may be closed
        LoggingSetup.stop();
        if (NativeLibrary.isLoaded()) {
            closeStandardOutput();
        }
        System.exit(code);
    }

    /**
     * libwebrtc's native threads print "VM attach current thread failed" to standard output when the
     * JVM exits under them; everything of ours is written by now, so standard output is closed first.
     */
    private static void closeStandardOutput() {
        System.out.flush();
        try {
            new FileOutputStream(FileDescriptor.out).close();
        } catch (IOException e) {
            // nothing to silence then
        }
    }
}
