package io.lkworker.localserver.room;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An executor onto the room thread that lets one participant have at most {@code bound} tasks
 * waiting there (its data channel messages), so a client flooding data cannot grow the room
 * thread's queue without bound. Past the bound the task is dropped and {@code onFlood} runs once (on
 * the room thread): the participant is removed. Any thread.
 */
final class BoundedInbox implements Executor {

    /**
     * Data messages of one participant waiting for the room thread. The room forwards a message in
     * microseconds, but may be busy for up to a second with an SDP step; a data stream sends 15 KiB
     * chunks as fast as SCTP takes them, so a legitimate burst is hundreds of messages. 4096 waiting
     * (at most 256 MiB at the 64 KiB message size, usually far less) means the client floods.
     */
    static final int MAX_PENDING_DATA_MESSAGES = 4096;

    private final Executor roomThread;
    private final int bound;
    private final Runnable onFlood;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean flooded = new AtomicBoolean();

    BoundedInbox(Executor roomThread, int bound, Runnable onFlood) {
        this.roomThread = roomThread;
        this.bound = bound;
        this.onFlood = onFlood;
    }

    @Override
    public void execute(Runnable task) {
        if (flooded.get()) {
            return;
        }
        if (pending.incrementAndGet() > bound) {
            pending.decrementAndGet();
            if (flooded.compareAndSet(false, true)) {
                roomThread.execute(onFlood);
            }
            return;
        }
        roomThread.execute(() -> {
            pending.decrementAndGet();
            task.run();
        });
    }
}
