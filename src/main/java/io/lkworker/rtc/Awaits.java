package io.lkworker.rtc;

import io.lkworker.api.rtc.RoomException;
import io.lkworker.webrtc.OwnerThread;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two ways a thread other than the session thread works with a room: run a step on the session
 * thread and take its result, or wait for something the session thread completes. Both turn every
 * failure into a {@link RoomException} that says what was being waited for.
 */
final class Awaits {

    private Awaits() {
    }

    /** Runs {@code task} on the session thread and returns its result; never from the session thread itself. */
    static <T> T call(OwnerThread owner, Callable<T> task) {
        try {
            return owner.call(task);
        } catch (RejectedExecutionException e) {
            throw new RoomException("room is disconnected");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoomException("interrupted", e);
        } catch (IllegalStateException e) {
            if (e.getCause() != null && !(e.getCause() instanceof RuntimeException)) {
                throw new RoomException(e.getCause().toString(), e.getCause());
            }
            throw e;
        }
    }

    static <T> T await(CompletableFuture<T> future, long deadlineNanos, String what) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new RoomException("timed out waiting for " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoomException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RoomException re) {
                throw new RoomException(re.getMessage(), re);
            }
            throw new RoomException("failed waiting for " + what + ": " + cause.getMessage(), cause);
        }
    }

    static long deadline(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadlineNanos - System.nanoTime()));
    }
}
