package io.lkworker.cli;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.ServerListener;
import io.lkworker.localserver.agent.WorkerHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Trains the daemon's class-data sharing archive (see {@link io.lkworker.DaemonCds}): runs
 * {@code lk-worker start} with the real agent jar against the embedded server on loopback (thread
 * executor, no warm processes, health port on), waits for the registration and exits, so the JVM
 * that runs it with {@code -XX:ArchiveClassesAtExit} writes every class of the start-up path.
 *
 * <pre>java -XX:ArchiveClassesAtExit=FILE -cp CLASSPATH io.lkworker.cli.DaemonCdsTrainer AGENT_JAR</pre>
 */
public final class DaemonCdsTrainer {

    private DaemonCdsTrainer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: DaemonCdsTrainer AGENT_JAR");
            System.exit(2);
        }
        Path run = Files.createTempDirectory("lkw-cds-train-");
        CountDownLatch registered = new CountDownLatch(1);
        LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        server.addListener(new ServerListener() {
            @Override
            public void onWorkerRegistered(WorkerHandle worker) {
                registered.countDown();
            }
        });
        String[] start = {"start", "--url", server.url(), "--api-key", "devkey", "--api-secret", "secret",
            "--agent", args[0], "--job-executor", "thread", "--num-idle-processes", "0", "--health-host", "127.0.0.1",
            "--health-port", "0", "--log-format", "json", "--log-level", "warn", "--run-dir", run.toString()};
        // built as Main builds it for these arguments, so the archive holds the classes a real start loads
        Thread daemon = new Thread(() -> LkWorkerCommand.newCommandLine(CliContext.system(), start).execute(start),
                "cds-training-daemon");
        daemon.setDaemon(true);
        daemon.start();
        boolean ok = registered.await(60, TimeUnit.SECONDS);
        System.exit(ok ? 0 : 1);
    }
}
