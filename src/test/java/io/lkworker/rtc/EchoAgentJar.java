package io.lkworker.rtc;

import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example echo agent ({@code examples/echo-agent}) compiled from its sources into an agent jar. */
final class EchoAgentJar {

    private static final Path EXAMPLE = Path.of("examples", "echo-agent", "src", "main");

    private EchoAgentJar() {
    }

    static Path build(Path into) throws Exception {
        String service = Files.readString(EXAMPLE.resolve("resources/META-INF/services/io.lkworker.api.Agent")).trim();
        return TestJars.builder()
                .source("example.EchoAgent", Files.readString(EXAMPLE.resolve("java/example/EchoAgent.java")))
                .agentService(service)
                .build(into);
    }
}
