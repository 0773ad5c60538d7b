package io.lkworker.serverlink;

import java.time.Duration;

/**
 * Does on a background thread, while {@code main} builds the command line and the configuration,
 * the first-use work that otherwise lies on the way from {@code lk-worker start} to the register
 * request, in the order the start-up path needs it: logging's first configuration (the start
 * command's logger), signing the connect token (the JDK's security providers and HMAC, 35–70 ms on a
 * cold JVM), the protocol's message descriptors (protobuf-java builds each generated file's
 * descriptor in a static initializer on first use, ~0.15 s of CPU; the register request's and those
 * the worker's offer-path warm-up uses on the event loop, which the socket's open otherwise queues
 * behind: connect → open 150 → 50 ms p50, measured) and the WebSocket client's classes. With two cores the other one does it (docs/performance.md, "Registration"). A class being
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
            // What the worker's offer-path warm-up (worker.AvailabilityHandler#warmUp) encodes and decodes
            // on the event loop right after it starts connecting: an offer with a room and a participant
            // (this builds livekit_models.proto's descriptor, the largest) and the answer. Done here first,
            // the loop's warm-up finds them built and the socket's open is not kept waiting behind it.
            livekit.LivekitAgent.Job job = livekit.LivekitAgent.Job.newBuilder().setId("AJ_warmup")
                    .setType(livekit.LivekitAgent.JobType.JT_ROOM)
                    .setRoom(livekit.LivekitModels.Room.newBuilder().setName("warmup").setSid("RM_warmup"))
                    .setParticipant(livekit.LivekitModels.ParticipantInfo.newBuilder().setIdentity("warmup"))
                    .build();
            try {
                livekit.LivekitAgent.ServerMessage.parseFrom(livekit.LivekitAgent.ServerMessage.newBuilder()
                        .setAvailability(livekit.LivekitAgent.AvailabilityRequest.newBuilder().setJob(job))
                        .build().toByteArray());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                // a message just encoded parses; nothing to warm otherwise
            }
            livekit.LivekitAgent.WorkerMessage.newBuilder().setAvailability(livekit.LivekitAgent.AvailabilityResponse
                    .newBuilder().setJobId(job.getId()).setAvailable(true).putParticipantAttributes("k", "v"))
                    .build().toByteArray();
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
