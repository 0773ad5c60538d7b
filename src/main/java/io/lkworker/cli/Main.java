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
        if (args.length > 0 && (args[0].equals("start") || args[0].equals("dev"))) {
            io.lkworker.serverlink.ProtocolWarmup.startInBackground(); // the register request's messages, meanwhile
        }
        int code = LkWorkerCommand.newCommandLine(CliContext.system(), args).execute(args);
        // log records wait in a queue (LoggingSetup): write them before standard output may be closed
        LoggingSetup.stop();
        if (NativeLibrary.isLoaded()) {
            closeStandardOutput();
        }
        System.exit(code);
    }

    /**
     * webrtc-java prints "VM attach current thread failed" to standard output at exit, from C++ static
     * destructors that try to attach to a JVM already gone (see {@code webrtc.MediaEngine}; it cannot be
     * stopped from Java); everything of ours is written by now, so standard output is closed first.
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
