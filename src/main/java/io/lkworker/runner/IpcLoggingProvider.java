package io.lkworker.runner;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J 2 provider of a child JVM: every enabled log call becomes an IPC {@code LogRecord} for
 * the daemon, which formats and writes it with its own logback. A child therefore loads no logging
 * backend at all (logback's classes, its XML configuration, its appenders): measured in
 * benchmarks/results.md, this cut start time and resident memory of every child.
 *
 * <p>Selected by {@code -Dslf4j.provider=io.lkworker.runner.IpcLoggingProvider} on the child's
 * command line (ChildLauncher), not by a service file: the lk-worker jar is also on the daemon's
 * class path, where logback must stay the provider. The agent's SLF4J calls reach this provider too
 * (its class loader takes {@code org.slf4j.} from the runner).
 */
public final class IpcLoggingProvider implements SLF4JServiceProvider {

    private final IpcLoggerFactory loggers = new IpcLoggerFactory();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new BasicMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to configure: the sink is attached by ChildLogging once the IPC link exists
    }
}
