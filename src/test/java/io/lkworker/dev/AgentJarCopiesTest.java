package io.lkworker.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.testing.AgentWithLibs;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode runs every generation of the agent from its own copy, libraries included. */
class AgentJarCopiesTest {

    @TempDir
    Path dir;

    @Test
    void theCopyCarriesTheClassPathLibrariesAndLoadsWithoutTheOriginals() throws Exception {
        Path jar = AgentWithLibs.build(dir.resolve("build"), "v1");
        AgentJarCopies copies = new AgentJarCopies(dir.resolve("run/agents"));

        Path copy = copies.copy(jar);
        // the build goes on in place: the original library disappears (or is half-written)
        Files.delete(dir.resolve("build/lib/greeting.jar"));

        assertThat(copy.getFileName()).hasToString("greeting-agent.jar");
        assertThat(copy.resolveSibling("lib/greeting.jar")).isRegularFile();
        try (LoadedAgent loaded = AgentLoader.load(copy, null)) {
            assertThat(AgentWithLibs.greetingOf(loaded.agent())).isEqualTo("v1");
        }
    }

    @Test
    void theSameContentMapsToTheSameCopyAndAChangedLibraryToANewOne() throws Exception {
        AgentJarCopies copies = new AgentJarCopies(dir.resolve("run/agents"));
        Path jar = AgentWithLibs.build(dir.resolve("build"), "v1");
        Path first = copies.copy(jar);
        Path again = copies.copy(jar);
        // a library rebuilt with other content, the agent jar byte for byte the same
        byte[] agentBytes = Files.readAllBytes(jar);
        AgentWithLibs.build(dir.resolve("build"), "v2");
        Files.write(jar, agentBytes);
        Path changed = copies.copy(jar);

        assertThat(again).isEqualTo(first);
        assertThat(changed).isNotEqualTo(first);
        try (LoadedAgent loaded = AgentLoader.load(changed, null)) {
            assertThat(AgentWithLibs.greetingOf(loaded.agent())).isEqualTo("v2");
        }
        try (var left = Files.list(dir.resolve("run/agents"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("incoming-"));
        }
    }

    @Test
    void aJarWithoutClassPathIsCopiedAlone() throws Exception {
        Path jar = TestJars.agentJar(dir.resolve("plain.jar"), "demo.Plain", TestJars.simpleAgent("demo.Plain"));

        Path copy = new AgentJarCopies(dir.resolve("agents")).copy(jar);

        try (var inGeneration = Files.list(copy.getParent())) {
            assertThat(inGeneration.map(p -> p.getFileName().toString())).containsExactly("plain.jar");
        }
        assertThat(Files.mismatch(copy, jar)).isEqualTo(-1);
    }

    @Test
    void pruningKeepsTheNewestTwoAndAnyAProcessRunsFromAndDeletesTheRest() throws Exception {
        AgentJarCopies copies = new AgentJarCopies(dir.resolve("run/agents"));
        Path[] generation = new Path[5];
        Path jar = TestJars.agentJar(dir.resolve("build/plain.jar"), "demo.Plain", TestJars.simpleAgent("demo.Plain"));
        for (int i = 0; i < generation.length; i++) {
            // each rebuild differs: a byte after the zip's end (readers find the central directory from the end)
            Files.write(jar, new byte[] {(byte) i}, java.nio.file.StandardOpenOption.APPEND);
            generation[i] = copies.copy(jar);
        }
        // a job kept on generation 1's code: its jar is on its command line (the shell does not exec away)
        Process job = new ProcessBuilder("sh", "-c", "sleep 60; :", generation[1].toAbsolutePath().toString()).start();
        try {
            copies.prune(generation[4], generation[3]);

            assertThat(generation[0]).doesNotExist();
            assertThat(generation[1]).isRegularFile();
            assertThat(generation[2]).doesNotExist();
            assertThat(generation[3]).isRegularFile();
            assertThat(generation[4]).isRegularFile();
        } finally {
            job.destroyForcibly().waitFor();
        }
        copies.prune(generation[4], generation[3]);
        assertThat(generation[1]).doesNotExist();
    }
}
