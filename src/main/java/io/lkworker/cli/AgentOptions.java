package io.lkworker.cli;

import picocli.CommandLine.Option;

/** Which agent to run and how it registers with the server. */
public final class AgentOptions {

    @Option(names = "--agent", paramLabel = "JAR", order = 20,
            description = "The agent jar (required). Env LKW_AGENT.")
    String agent;

    @Option(names = "--agent-class", paramLabel = "CLASS", order = 21,
            description = "The Agent implementation to run. Default: the one listed in the jar's "
                    + "META-INF/services/io.lkworker.api.Agent.")
    String agentClass;

    @Option(names = "--agent-name", paramLabel = "NAME", order = 22,
            description = "Agent name to register; a named agent gets explicit dispatches only. "
                    + "Env LIVEKIT_AGENT_NAME. Default: none (automatic dispatch).")
    String agentName;

    @Option(names = "--worker-type", paramLabel = "TYPE", order = 23,
            description = "room (a job per room), publisher (a job per publishing participant) or "
                    + "participant. Default: room.")
    String workerType;

    @Option(names = "--deployment", paramLabel = "NAME", order = 24,
            description = "Deployment label sent at registration. Env LIVEKIT_AGENT_DEPLOYMENT. Default: none.")
    String deployment;
}
