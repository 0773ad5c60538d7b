package io.lkworker.cli;

import picocli.CommandLine.Option;

/** Log level and format (logs go to standard output). */
public final class LoggingOptions {

    @Option(names = "--log-level", paramLabel = "LEVEL", order = 70,
            description = "TRACE, DEBUG, INFO, WARN or ERROR. Default: INFO; dev: DEBUG.")
    String logLevel;

    @Option(names = "--log-format", paramLabel = "FORMAT", order = 71,
            description = "json (one object per line) or text. Default: json; dev: text.")
    String logFormat;
}
