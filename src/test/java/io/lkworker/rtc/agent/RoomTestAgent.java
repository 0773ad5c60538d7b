package io.lkworker.rtc.agent;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.rtc.Room;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test agent whose job does what its dispatch metadata says, for the room lifecycle tests:
 * {@code stay} joins and stays until the job ends, recording the shutdown reason; {@code return}
 * joins and returns once released; {@code crash} joins and halts its JVM; {@code short-reconnect} stays
 * like {@code stay} with a 2 s reconnect timeout. Thread-executor tests read
 * what it recorded from the static maps.
 */
public final class RoomTestAgent implements Agent {

    /** Job id → the reason {@code awaitShutdown} returned. */
    public static final Map<String, String> REASONS = new ConcurrentHashMap<>();
    /** Job id → the room token the job was given. */
    public static final Map<String, String> TOKENS = new ConcurrentHashMap<>();
    public static final Map<String, CountDownLatch> RELEASES = new ConcurrentHashMap<>();
    /** Job ids whose {@code connect()} returned. */
    public static final java.util.Set<String> CONNECTED = ConcurrentHashMap.newKeySet();

    @Override
    public void entrypoint(JobContext ctx) throws Exception {
        String job = ctx.job().id();
        TOKENS.put(job, ctx.token());
        String mode = ctx.job().metadata();
        // short-reconnect: gives up recovering a lost connection after 2 s (default 60 s).
        Room room = mode.equals("short-reconnect")
                ? ctx.connect(io.lkworker.api.rtc.ConnectOptions.defaults().withReconnectTimeout(java.time.Duration.ofSeconds(2)))
                : ctx.connect();
        CONNECTED.add(job);
        switch (mode) {
            case "crash" -> Runtime.getRuntime().halt(3);
            case "wait-participant" -> {
                try {
                    ctx.waitForParticipant("nobody", java.time.Duration.ofMillis(300));
                    REASONS.put(job, "found nobody?");
                } catch (java.util.concurrent.TimeoutException e) {
                    REASONS.put(job, "found " + ctx.waitForParticipant().identity());
                }
            }
            case "return" -> {
                CountDownLatch release = RELEASES.computeIfAbsent(room.name(), k -> new CountDownLatch(1));
                while (!release.await(50, TimeUnit.MILLISECONDS) && !ctx.isShuttingDown()) {
                    // waiting for the test
                }
            }
            default -> REASONS.put(job, ctx.awaitShutdown());
        }
    }
}
