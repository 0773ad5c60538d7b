package io.lkworker.serverlink;

import java.time.Duration;

/**
 * Does on a background thread, while {@code main} builds the command line and the configuration,
 * the first-use work that otherwise lies on the way from {@code lk-worker start} to the register
 * request, in the order the start-up path needs it: logging's first configuration (the start
 * command's logger), signing the connect token (the JDK's security providers and HMAC, 35–70 ms on a
 * cold JVM), the protocol's message descriptors (protobuf-java builds each generated file's
 * descriptor in a static initializer on first use, ~0.15 s of CPU) and the WebSocket client's
 * classes. With two cores the other one does it (docs/performance.md, "Registration"). A class being
 * initialized by another thread is waited for by the JVM, so racing the real use is safe; every step
 * is only a warm-up, and the real use reports any problem.
 */
public final class ProtocolWarmup {

    private ProtocolWarmup() {
    }

    /** Starts the warm-up (a daemon thread); returns at once. */
    public static void startInBackground() {
        Thread t = new Thread(ProtocolWarmup::run, "lkw-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.NORM_PRIORITY - 1);
        t.start();
    }

    private static void run() {
        step(() -> org.slf4j.LoggerFactory.getILoggerFactory());
        step(() -> AccessToken.workerToken("warmup", "warmup-secret", System.currentTimeMillis(), Duration.ofMinutes(1)));
        step(() -> {
            livekit.LivekitAgent.WorkerMessage.newBuilder()
                    .setRegister(livekit.LivekitAgent.RegisterWorkerRequest.newBuilder().setAgentName("warmup"))
                    .build().toByteArray();
            try {
                livekit.LivekitAgent.ServerMessage.parseFrom(new byte[0]);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                // an empty message parses; nothing to warm otherwise
            }
        });
        step(() -> new org.java_websocket.drafts.Draft_6455().copyInstance());
    }

    private static void step(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | LinkageError e) {
            // only a warm-up: the real use reports any problem
        }
    }
}
