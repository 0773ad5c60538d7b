package io.lkworker.runner;

import io.lkworker.ipc.proto.Ipc;
import io.lkworker.ipc.proto.Ipc.Envelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import io.lkworker.tracing.ChildTracing;
import io.lkworker.tracing.Tracing;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Entry point of a job process (a child JVM the daemon's process pool starts).
 *
 * <pre>
 * java ... io.lkworker.runner.ChildMain --socket PATH --agent-jar JAR [--agent-class NAME] [--log-level LEVEL]
 * stdin, first line: the one-time secret proving to the daemon that this is the process it started
 * </pre>
 *
 * The job token never appears here: it arrives later, over the socket, in {@code StartJob}.
 */
public final class ChildMain {

    /** {@code -D} property: true makes the child load the WebRTC library while it warms up (agents that use rooms). */
    public static final String WEBRTC_PRELOAD_PROPERTY = "lkworker.webrtc.preload";

    /** Upper bound for pushing the last messages and logs to the daemon before exiting. */
    private static final long FINAL_FLUSH_MILLIS = 5000;

    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        // The daemon decides a child's fate: a Ctrl-C or SIGTERM sent to the whole process group
        // (terminal, systemd) reaches the daemon, which then shuts its children down in order.
        Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
        Signal.handle(new Signal("TERM"), SignalHandler.SIG_IGN);

        PrintStream stderr = System.err;
        Path socket = null;
        Path agentJar = null;
        String agentClass = null;
        String level = "INFO";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--socket" -> socket = Path.of(args[i + 1]);
                case "--agent-jar" -> agentJar = Path.of(args[i + 1]);
                case "--agent-class" -> agentClass = args[i + 1];
                case "--log-level" -> level = args[i + 1];
                default -> {
                    stderr.println("lk-worker child: unknown argument " + args[i]);
                    System.exit(64);
                }
            }
        }
        if (socket == null || agentJar == null) {
            stderr.println("usage: ChildMain --socket PATH --agent-jar JAR [--agent-class NAME] [--log-level LEVEL]"
                    + " (secret on stdin)");
            System.exit(64);
        }
        String secret = readLine(System.in);
        if (secret == null || secret.isEmpty()) {
            stderr.println("lk-worker child: no secret on stdin");
            System.exit(64);
        }
        long pid = ProcessHandle.current().pid();
        ParentLink link = ParentLink.connect(socket, stderr);
        link.startWriter();
        link.send(Envelope.newBuilder().setHello(Ipc.Hello.newBuilder().setSecret(secret).setPid(pid)).build());

        ChildLogging logging = new ChildLogging(link);
        logging.install(level);
        // Tracing is set up while the process warms up (the SDK's start costs a job nothing); it is on
        // exactly when the daemon's is: this process inherited the daemon's environment.
        ChildTracing tracing = Tracing.forChild(System.getenv());
        ChildRuntime runtime = new ChildRuntime(link, agentJar, agentClass, pid, stderr, tracing);
        link.startReader(runtime);
        watchStdin(runtime);

        int code = runtime.run();
        tracing.close(); // the job's spans, exported before the process goes (bounded: OtelSdk.FLUSH_MILLIS)
        logging.flush();
        if (!link.flush(FINAL_FLUSH_MILLIS)) {
            stderr.println("lk-worker child " + pid + ": could not flush the last messages to the daemon");
        }
        OrphanExit.endDescendants();
        System.exit(code);
    }

    /**
     * Backup for the socket's end of stream: the daemon holds the write end of our stdin, so its
     * death (even kill -9) closes it.
     */
    private static void watchStdin(ChildRuntime runtime) {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing else is sent on stdin
                }
            } catch (IOException ignored) {
                // treated as closed
            }
            runtime.onParentGone("stdin closed");
        }, "lkw-stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Reads one line byte by byte, leaving the rest of stdin unread. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (line.size() > 4096) {
                return null;
            }
            line.write(b);
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8).trim();
    }
}
