package io.lkworker.localserver.agent;

import io.lkworker.localserver.AwaitTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A job being offered: its id at once, its outcome later. */
public record JobOffer(String jobId, CompletableFuture<OfferOutcome> outcome) {

    /** Blocks for the outcome. */
    public OfferOutcome await(Duration timeout) {
        try {
            return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AwaitTimeoutException("no outcome for job " + jobId + " within " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("offer of " + jobId + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while awaiting job " + jobId, e);
        }
    }
}
