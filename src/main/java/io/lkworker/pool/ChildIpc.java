package io.lkworker.pool;

import io.lkworker.ipc.IpcChannel;
import io.lkworker.ipc.proto.Ipc;
import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.worker.JobLaunch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child's IPC channel as the daemon speaks it: decodes what the child sends into calls on its
 * {@link Events} (log frames go to their own sink), and encodes what the daemon asks of it
 * (initialize, start a job, ping, shut down). Holds no state of the child's lifecycle. Loop thread
 * only; logs under {@link ChildProcess}'s logger, in the child's MDC.
 */
final class ChildIpc implements IpcChannel.Listener {

    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

    /** What the child said, decoded. Called on the loop thread. */
    interface Events {
        void onInitialized(Ipc.InitializeResponse response);

        void onPong(Ipc.Pong pong);

        void onJobStatus(Ipc.JobStatus status);

        void onShutdownAck();

        void onShuttingDown();

        /** The job's room counts changed. */
        void onRoomStats(Ipc.RoomStats stats);

        /** The child announced its exit. */
        void onExiting();

        /** The channel is closed; {@code error} is null for a clean end of stream. */
        void onChannelClosed(String error);
    }

    private final IpcChannel channel;
    private final Events events;
    private final Consumer<Ipc.LogRecord> logs;
    private final Consumer<Runnable> withMdc;

    /** Takes over {@code channel}'s listener. */
    ChildIpc(IpcChannel channel, Events events, Consumer<Ipc.LogRecord> logs, Consumer<Runnable> withMdc) {
        this.channel = channel;
        this.events = events;
        this.logs = logs;
        this.withMdc = withMdc;
        channel.setListener(this);
    }

    @Override
    public void onMessage(IpcChannel ch, Envelope message) {
        switch (message.getMsgCase()) {
            case LOG -> logs.accept(message.getLog());
            case PONG -> events.onPong(message.getPong());
            case INITIALIZED -> events.onInitialized(message.getInitialized());
            case JOB_STATUS -> events.onJobStatus(message.getJobStatus());
            case SHUTDOWN_ACK -> events.onShutdownAck();
            case SHUTTING_DOWN -> events.onShuttingDown();
            case ROOM_STATS -> events.onRoomStats(message.getRoomStats());
            case EXITING -> {
                events.onExiting();
                withMdc.accept(() -> log.debug("child exiting: {}", message.getExiting().getReason()));
            }
            default -> withMdc.accept(() -> log.warn("unexpected {} from child; ignored", message.getMsgCase()));
        }
    }

    @Override
    public void onClosed(IpcChannel ch, String error) {
        events.onChannelClosed(error);
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    void close(String reason) {
        channel.close(reason);
    }

    /** The pool's timing options, the child's answer to them is {@link Events#onInitialized}. */
    boolean initialize(PoolOptions options) {
        return send(Envelope.newBuilder().setInitialize(Ipc.InitializeRequest.newBuilder()
                .setPingIntervalMs(options.pingInterval().toMillis())
                .setPingTimeoutMs(options.pingTimeout().toMillis())
                .setEntrypointGraceMs(options.entrypointGrace().toMillis())
                .setShutdownTimeoutMs(options.shutdownTimeout().toMillis())).build());
    }

    /** The child's one job; false when the channel is closed. */
    boolean startJob(JobLaunch launch) {
        Ipc.StartJob.Builder start = Ipc.StartJob.newBuilder()
                .setJob(launch.job().toByteString())
                .setUrl(nullToEmpty(launch.url()))
                .setToken(nullToEmpty(launch.token()))
                .setWorkerId(nullToEmpty(launch.workerId()))
                .putAllTraceContext(launch.traceContext());
        if (launch.accept() != null) {
            start.setAcceptIdentity(nullToEmpty(launch.accept().identity()))
                    .setAcceptName(nullToEmpty(launch.accept().name()))
                    .setAcceptMetadata(nullToEmpty(launch.accept().metadata()))
                    .putAllAcceptAttributes(launch.accept().attributes());
        }
        return send(Envelope.newBuilder().setStartJob(start).build());
    }

    boolean ping(long wallMillis) {
        return send(Envelope.newBuilder().setPing(Ipc.Ping.newBuilder().setTimestampMs(wallMillis)).build());
    }

    boolean shutdown(String reason) {
        return send(Envelope.newBuilder().setShutdown(Ipc.ShutdownRequest.newBuilder().setReason(nullToEmpty(reason)))
                .build());
    }

    private boolean send(Envelope message) {
        return channel.send(message);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
