package io.lkworker.cli;

import picocli.CommandLine.Option;

/** The health/status HTTP server. */
public final class HealthOptions {

    @Option(names = "--health-host", paramLabel = "HOST", order = 60,
            description = "Bind address of the health HTTP server. Default: 0.0.0.0; dev: 127.0.0.1.")
    String healthHost;

    @Option(names = "--health-port", paramLabel = "PORT", order = 61,
            description = "Port of the health HTTP server; 0 = any free port, -1 = disabled. Default: 8081; dev: 0.")
    String healthPort;
}
