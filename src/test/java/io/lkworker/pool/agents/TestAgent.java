package io.lkworker.pool.agents;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobProcess;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool tests' agent. Prewarm is steered by the system property {@code lkw.test.prewarm}
 * (set through jobJvmOptions): {@code ok} (default), {@code slow:<ms>}, {@code fail},
 * {@code dieAfter:<ms>} (ready, then the JVM halts). The
 * entrypoint is steered by the job's metadata: {@code ok}, {@code throw}, {@code exit3},
 * {@code halt5}, {@code block}, {@code await}, {@code hangOnExit}, {@code hog:<MB>}, {@code burn} (a busy core
 * until shutdown), {@code ignoreShutdown},
 * {@code log:<n>}, {@code spawn} and {@code orphan} (start a process, log "grandchild PID", await shutdown).
 */
public final class TestAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(TestAgent.class);
    /** Held so the memory hog's arrays stay reachable. */
    private static final List<byte[]> HOARD = new ArrayList<>();

    @Override
    public void prewarm(JobProcess proc) throws Exception {
        String mode = System.getProperty("lkw.test.prewarm", "ok");
        if (mode.startsWith("slow:")) {
            Thread.sleep(Long.parseLong(mode.substring(5)));
        } else if (mode.equals("fail")) {
            throw new IllegalStateException("prewarm refused on purpose");
        } else if (mode.startsWith("dieAfter:")) {
            // ready, then dead: like a native crash or an OOM kill shortly after prewarm
            long ms = Long.parseLong(mode.substring(9));
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException ignored) {
                    // die anyway
                }
                Runtime.getRuntime().halt(7);
            });
            killer.setDaemon(true);
            killer.start();
        }
        proc.userdata().put("prewarmed", Boolean.TRUE);
    }

    @Override
    public void entrypoint(JobContext ctx) throws Exception {
        Instant now = Instant.now();
        long epochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        log.info("entrypoint entered at {} job={}", epochNanos, ctx.job().id());
        String mode = ctx.job().metadata();
        switch (mode.contains(":") ? mode.substring(0, mode.indexOf(':')) : mode) {
            case "", "ok" -> {
            }
            case "throw" -> throw new IllegalStateException("boom from the agent");
            case "exit3" -> System.exit(3);
            case "halt5" -> Runtime.getRuntime().halt(5);
            case "block" -> Thread.sleep(Long.MAX_VALUE);
            case "await" -> ctx.awaitShutdown();
            case "hangOnExit" -> {
                // the job ends well, then its JVM cannot exit (a shutdown hook that never returns)
                Runtime.getRuntime().addShutdownHook(new Thread(TestAgent::sleepIgnoringInterrupts));
                log.info("returning, then hanging on exit");
            }
            case "hog" -> hog(Integer.parseInt(mode.substring(4)));
            case "burn" -> burn(ctx);
            case "ignoreShutdown" -> ignoreShutdown(ctx);
            case "log" -> logLines(Integer.parseInt(mode.substring(4)));
            case "flood" -> {
                // straight to file descriptor 1, as a subprocess or native code would: not through System.out
                java.io.FileOutputStream raw = new java.io.FileOutputStream(java.io.FileDescriptor.out);
                // 64 KB writes (lines of 1 KB): few system calls, so a loaded machine writes 24 MB in time
                byte[] chunk = ("x".repeat(1023) + "\n").repeat(64).getBytes();
                for (int i = 0; i < Integer.parseInt(mode.substring(6)) * 16; i++) {
                    raw.write(chunk);
                }
                raw.write("last raw line\n".getBytes());
                raw.flush();
                log.info("flooded");
                ctx.awaitShutdown();
            }
            case "spawn" -> {
                Process sleeper = new ProcessBuilder("sleep", "600").start();
                log.info("grandchild {}", sleeper.pid());
                ctx.awaitShutdown();
            }
            case "orphan" -> {
                // the shell exits at once: its sleep is reparented away from this process
                Process sh = new ProcessBuilder("sh", "-c", "sleep 600 >/dev/null 2>&1 & echo $!").start();
                String pid = new String(sh.getInputStream().readAllBytes()).trim();
                sh.waitFor();
                log.info("grandchild {}", pid);
                ctx.awaitShutdown();
            }
            default -> throw new IllegalArgumentException("unknown test mode " + mode);
        }
    }

    /** Keeps one core busy until the job is asked to end (the per-job CPU figures have something to show). */
    private static void burn(JobContext ctx) {
        long x = 0;
        while (!ctx.isShuttingDown()) {
            for (int i = 0; i < 1_000_000; i++) {
                x = x * 31 + i;
            }
            BURNED.set(x);
        }
    }

    /** Where {@link #burn}'s result goes, so the JIT cannot drop the loop. */
    private static final java.util.concurrent.atomic.AtomicLong BURNED = new java.util.concurrent.atomic.AtomicLong();

    private static void hog(int mb) throws InterruptedException {
        for (int i = 0; i < mb; i++) {
            byte[] chunk = new byte[1024 * 1024];
            for (int j = 0; j < chunk.length; j += 4096) {
                chunk[j] = 1; // touch every page so it is resident
            }
            HOARD.add(chunk);
        }
        log.info("holding {} MB", mb);
        Thread.sleep(Long.MAX_VALUE);
    }

    @SuppressWarnings("InfiniteLoopStatement")
    private static void ignoreShutdown(JobContext ctx) {
        ctx.addShutdownCallback(reason -> sleepIgnoringInterrupts());
        Runtime.getRuntime().addShutdownHook(new Thread(TestAgent::sleepIgnoringInterrupts));
        log.info("ignoring shutdown");
        sleepIgnoringInterrupts();
    }

    private static void sleepIgnoringInterrupts() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException ignored) {
                // on purpose
            }
        }
    }

    private static void logLines(int n) {
        for (int i = 0; i < n; i++) {
            log.info("slf4j line {}", i);
            System.out.println("stdout line " + i);
        }
    }
}
