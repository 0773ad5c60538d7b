package io.lkworker.serverlink;

/**
 * Builds the LiveKit protocol's message descriptors on a background thread while the command line,
 * the configuration and logging are being set up. protobuf-java builds each generated file's
 * descriptor (livekit_agent.proto and the files it imports) in a static initializer the first time
 * a message is used, ~0.15 s of CPU on a cold JVM (benchmarks/results.md, "Registration"); without
 * this, the register request waits for it on the event loop. With two cores the other one does it.
 * A class being initialized by another thread is waited for by the JVM, so this is safe to race.
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
        try {
            livekit.LivekitAgent.WorkerMessage.newBuilder()
                    .setRegister(livekit.LivekitAgent.RegisterWorkerRequest.newBuilder().setAgentName("warmup"))
                    .build().toByteArray();
            livekit.LivekitAgent.ServerMessage.parseFrom(new byte[0]);
        } catch (RuntimeException | com.google.protobuf.InvalidProtocolBufferException e) {
            // only a warm-up: the real use reports any problem
        }
    }
}
