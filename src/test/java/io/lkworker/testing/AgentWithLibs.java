package io.lkworker.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The documented way an agent ships its dependencies: the agent jar plus {@code lib/*.jar} beside it,
 * named in its manifest {@code Class-Path}. Here one library, {@code lib/greeting.jar} with
 * {@code lib.Greeting}, which the agent's constructor uses (so loading the agent fails without it).
 */
public final class AgentWithLibs {

    public static final String AGENT = "demo.GreetingAgent";

    private AgentWithLibs() {
    }

    /** Writes {@code dir/greeting-agent.jar} and {@code dir/lib/greeting.jar}; returns the agent jar. */
    public static Path build(Path dir, String greeting) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib")).resolve("greeting.jar");
        TestJars.builder().source("lib.Greeting", """
                package lib;
                public final class Greeting {
                    public static String text() { return "%s"; }
                }
                """.formatted(greeting)).build(lib);
        return TestJars.builder()
                .classPath(TestJars.currentClassPath() + java.io.File.pathSeparator + lib)
                .source(AGENT, """
                        package demo;
                        public class GreetingAgent implements io.lkworker.api.Agent {
                            public final String greeting = lib.Greeting.text();
                            @Override public void entrypoint(io.lkworker.api.JobContext ctx) {}
                        }
                        """)
                .agentService(AGENT)
                .manifestAttribute("Class-Path", "lib/greeting.jar")
                .build(dir.resolve("greeting-agent.jar"));
    }

    /** What the loaded agent got from its library. */
    public static String greetingOf(Object agent) throws ReflectiveOperationException {
        return (String) agent.getClass().getField("greeting").get(agent);
    }
}
