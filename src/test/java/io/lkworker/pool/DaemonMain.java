package io.lkworker.pool;

import io.lkworker.loop.Clock;
import io.lkworker.loop.EventLoop;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A tiny daemon for {@link DaemonKillTest}: starts a pool with two warm children, prints
 * {@code PIDS <pid> <pid>} on stdout, and runs until killed.
 */
public final class DaemonMain {

    private DaemonMain() {
    }

    public static void main(String[] args) throws Exception {
        EventLoop loop = new EventLoop(Clock.system()).start("daemon-loop");
        ProcessPool pool = new ProcessPool(loop, PoolOptions.defaults(Path.of(args[0])).withIdle(2)
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(2), Duration.ofSeconds(1)).withDirs(null, null));
        loop.execute(pool::start);
        loop.execute(new Runnable() {
            @Override
            public void run() {
                if (pool.stats().idle() == 2) {
                    StringBuilder line = new StringBuilder("PIDS");
                    pool.idlePids().forEach(p -> line.append(' ').append(p));
                    System.out.println(line);
                    System.out.flush();
                } else {
                    loop.schedule(50, this);
                }
            }
        });
    }
}
