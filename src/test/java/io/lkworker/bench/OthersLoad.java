package io.lkworker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The machine's CPU use by everything but the worker (the daemon and its children): other builds, and
 * this benchmark and its server too, which the worker's load rightly counts. Averaged over 2.5 s like
 * the worker's load: tells a refusal caused by other work from one the worker caused itself. Sampled every 0.5 s on a daemon thread.
 */
final class OthersLoad implements AutoCloseable {

    private final LongSupplier ownTicks;
    private final ArrayDeque<Double> window = new ArrayDeque<>();
    private final Thread thread;
    private volatile double average;
    private volatile boolean closed;

    OthersLoad(LongSupplier ownTicks) {
        this.ownTicks = ownTicks;
        this.thread = new Thread(this::run, "others-load");
        thread.setDaemon(true);
        thread.start();
    }

    double average() {
        return average;
    }

    private void run() {
        long[] last = null;
        long lastOwn = 0;
        while (!closed) {
            try {
                long[] now = procStat();
                long own = ownTicks.getAsLong();
                if (last != null && now[1] > last[1]) {
                    double others = Math.max(0, (now[0] - last[0]) - (own - lastOwn)) / (double) (now[1] - last[1]);
                    window.addLast(others);
                    if (window.size() > 5) {
                        window.removeFirst();
                    }
                    average = window.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                }
                last = now;
                lastOwn = own;
                Thread.sleep(500);
            } catch (IOException | RuntimeException e) {
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** busy and total jiffies of /proc/stat's first line. */
    private static long[] procStat() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    /** utime + stime (+ cutime + cstime with {@code children}) of a process in ticks; 0 when gone. */
    static long ticks(long pid, boolean children) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return children ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
