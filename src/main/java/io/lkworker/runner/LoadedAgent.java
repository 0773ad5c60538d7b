package io.lkworker.runner;

import io.lkworker.api.Agent;
import java.nio.file.Path;

/** An agent instance loaded from a jar, with where it came from. */
public record LoadedAgent(Agent agent, String className, ClassLoader loader, Path jar) {
}
