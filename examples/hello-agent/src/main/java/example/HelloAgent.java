package example;

import io.lkworker.api.AcceptOptions;
import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobProcess;
import io.lkworker.api.JobRequest;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small agent: it accepts every job unless the dispatch metadata says "reject", greets the room,
 * stays for a few seconds (or "stay=N" seconds from the metadata, or until the job is terminated),
 * and fails on purpose when the metadata says "fail".
 */
public final class HelloAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(HelloAgent.class);

    @Override
    public void prewarm(JobProcess proc) {
        // Expensive, shareable set-up goes here: it runs before the process is given a job.
        proc.userdata().put("warmedAt", Instant.now().toString());
    }

    @Override
    public void onRequest(JobRequest request) {
        if (request.job().metadata().contains("reject")) {
            request.reject();
        } else {
            request.accept(AcceptOptions.defaults().withName("Hello Agent"));
        }
    }

    @Override
    public void entrypoint(JobContext ctx) throws Exception {
        String metadata = ctx.job().metadata();
        log.info("hello, room {}! I am {} (process {} warmed at {})", ctx.job().room().name(),
                ctx.participantIdentity(), ctx.process().pid(), ctx.process().userdata().get("warmedAt"));
        ctx.addShutdownCallback(reason -> log.info("goodbye ({})", reason));
        if (metadata.contains("fail")) {
            throw new IllegalStateException("asked to fail by the dispatch metadata");
        }
        String reason = ctx.awaitShutdown(Duration.ofSeconds(stay(metadata)));
        log.info(reason == null ? "done after my stay" : "asked to stop: " + reason);
    }

    private static long stay(String metadata) {
        for (String part : metadata.split("[,; ]")) {
            if (part.startsWith("stay=")) {
                return Long.parseLong(part.substring(5));
            }
        }
        return 3;
    }
}
