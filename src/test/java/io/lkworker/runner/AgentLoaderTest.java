package io.lkworker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.Gson;
import io.lkworker.api.Agent;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLoaderTest {

    @TempDir
    Path dir;

    private Path jar(String name, TestJars.Builder builder) {
        return builder.build(dir.resolve(name));
    }

    @Test
    void loadsTheAgentListedInTheServiceFile() throws Exception {
        Path jar = TestJars.agentJar(dir.resolve("a.jar"), "demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"));

        try (LoadedAgent loaded = AgentLoader.load(jar, null)) {
            assertThat(loaded.className()).isEqualTo("demo.EchoAgent");
            assertThat(loaded.agent().getClass().getName()).isEqualTo("demo.EchoAgent");
            assertThat(loaded.agent().getClass().getClassLoader()).isSameAs(loaded.loader());
            assertThat(loaded.loader()).isInstanceOf(AgentClassLoader.class);
            assertThat(loaded.jar()).isEqualTo(jar.toAbsolutePath().normalize());
        }
    }

    @Test
    void serviceFileCommentsBlankLinesAndDuplicatesAreIgnored() throws Exception {
        Path jar = jar("a.jar", TestJars.builder()
                .source("demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"))
                .agentService("# the agent", "", "demo.EchoAgent  # trailing comment", "demo.EchoAgent"));

        try (LoadedAgent loaded = AgentLoader.load(jar, null)) {
            assertThat(loaded.className()).isEqualTo("demo.EchoAgent");
        }
    }

    /** README "Writing an agent": dependencies as a directory of jars named in the manifest Class-Path. */
    @Test
    void librariesInTheManifestClassPathAreLoadedFromBesideTheJar() throws Exception {
        Path jar = io.lkworker.testing.AgentWithLibs.build(dir.resolve("agent"), "hello from lib");

        try (LoadedAgent loaded = AgentLoader.load(jar, null)) {
            assertThat(io.lkworker.testing.AgentWithLibs.greetingOf(loaded.agent())).isEqualTo("hello from lib");
            assertThat(loaded.loader().loadClass("lib.Greeting").getProtectionDomain().getCodeSource().getLocation()
                    .getPath()).endsWith("/agent/lib/greeting.jar");
        }
        assertThat(ManifestClassPath.relativeEntries(jar)).containsExactly(Path.of("lib/greeting.jar"));

        Files.delete(dir.resolve("agent/lib/greeting.jar"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null)).isInstanceOf(AgentLoadException.class)
                .hasMessageContaining("lib/Greeting");
    }

    @Test
    void missingFile() {
        Path jar = dir.resolve("nope.jar");
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("agent jar not found: " + jar);
    }

    @Test
    void directory() {
        assertThatThrownBy(() -> AgentLoader.load(dir, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("agent jar is a directory, not a jar file: " + dir);
    }

    @Test
    void unreadableFile() throws Exception {
        Path jar = TestJars.agentJar(dir.resolve("locked.jar"), "demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("---------"));
        // root reads everything whatever the mode bits say
        assumeFalse(Files.isReadable(jar), "running as root: a file without permissions is still readable");

        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("agent jar is not readable (check its permissions): " + jar);
    }

    @Test
    void notAZipFile() throws Exception {
        Path jar = Files.writeString(dir.resolve("agent.jar"), "#!/bin/sh\necho not a jar\n");
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("agent jar is not a jar (zip) file: " + jar);
    }

    @Test
    void noServiceFileAndNoAgentClass() {
        Path jar = jar("a.jar", TestJars.builder().source("demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent")));
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("no agent found in " + jar + ": add META-INF/services/io.lkworker.api.Agent"
                        + " naming your Agent class, or pass --agent-class");
    }

    @Test
    void serviceFileWithOnlyCommentsCountsAsNoAgent() {
        Path jar = jar("a.jar", TestJars.builder()
                .source("demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent")).agentService("# nothing here"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null)).hasMessageStartingWith("no agent found in ");
    }

    @Test
    void severalAgentsWithoutAgentClassNamesThem() {
        Path jar = twoAgents();
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage(jar + " lists several agents (demo.First, demo.Second): choose one with --agent-class");
    }

    @Test
    void agentClassSelectsOneOfSeveral() throws Exception {
        Path jar = twoAgents();
        try (LoadedAgent loaded = AgentLoader.load(jar, "demo.Second")) {
            assertThat(loaded.className()).isEqualTo("demo.Second");
            assertThat(loaded.agent().getClass().getName()).isEqualTo("demo.Second");
        }
    }

    @Test
    void agentClassWorksWithoutServiceFile() throws Exception {
        Path jar = jar("a.jar", TestJars.builder().source("demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent")));
        try (LoadedAgent loaded = AgentLoader.load(jar, "demo.EchoAgent")) {
            assertThat(loaded.agent()).isInstanceOf(Agent.class);
        }
    }

    @Test
    void agentClassNotInTheJar() {
        Path jar = twoAgents();
        assertThatThrownBy(() -> AgentLoader.load(jar, "demo.Third"))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("agent class demo.Third not found in " + jar);
    }

    @Test
    void hostClassesAreNotVisibleAsAgentClass() {
        Path jar = twoAgents();
        assertThatThrownBy(() -> AgentLoader.load(jar, AgentLoaderTest.class.getName()))
                .hasMessage("agent class " + AgentLoaderTest.class.getName() + " not found in " + jar);
    }

    @Test
    void classThatIsNotAnAgent() {
        Path jar = jar("a.jar", TestJars.builder()
                .source("demo.Plain", "package demo; public class Plain {}").agentService("demo.Plain"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("agent class demo.Plain does not implement io.lkworker.api.Agent");
    }

    @Test
    void abstractAgent() {
        Path jar = jar("a.jar", TestJars.builder().source("demo.Base",
                "package demo; public abstract class Base implements io.lkworker.api.Agent {}").agentService("demo.Base"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .hasMessage("agent class demo.Base is abstract: name a concrete class");
    }

    @Test
    void noPublicNoArgConstructor() {
        Path jar = jar("a.jar", TestJars.builder().source("demo.NeedsArg", """
                package demo;
                public class NeedsArg implements io.lkworker.api.Agent {
                    public NeedsArg(String name) {}
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {}
                }
                """).agentService("demo.NeedsArg"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .hasMessage("agent class demo.NeedsArg has no public no-argument constructor");
    }

    @Test
    void nonPublicClass() {
        Path jar = jar("a.jar", TestJars.builder().source("demo.Hidden", """
                package demo;
                class Hidden implements io.lkworker.api.Agent {
                    public Hidden() {}
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {}
                }
                """).agentService("demo.Hidden"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null)).hasMessage("agent class demo.Hidden is not public");
    }

    @Test
    void constructorThrows() {
        Path jar = jar("a.jar", TestJars.builder().source("demo.Boom", """
                package demo;
                public class Boom implements io.lkworker.api.Agent {
                    public Boom() { throw new IllegalStateException("no model file\\nsecond line"); }
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {}
                }
                """).agentService("demo.Boom"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .isInstanceOf(AgentLoadException.class)
                .hasMessage("the constructor of agent class demo.Boom threw java.lang.IllegalStateException: no model file");
    }

    @Test
    void staticInitializerThrows() {
        Path jar = jar("a.jar", TestJars.builder().source("demo.BadStatic", """
                package demo;
                public class BadStatic implements io.lkworker.api.Agent {
                    static final int X = Integer.parseInt("x");
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {}
                }
                """).agentService("demo.BadStatic"));
        assertThatThrownBy(() -> AgentLoader.load(jar, null))
                .hasMessageStartingWith("static initialisation of agent class demo.BadStatic failed: java.lang.NumberFormatException");
    }

    @Test
    void agentSharesTheApiAndSlf4jButNotTheHostsInternals() throws Exception {
        Path jar = TestJars.agentJar(dir.resolve("a.jar"), "demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"));
        try (LoadedAgent loaded = AgentLoader.load(jar, null)) {
            ClassLoader loader = loaded.loader();
            assertThat(Class.forName("io.lkworker.api.Agent", false, loader)).isSameAs(Agent.class);
            assertThat(Class.forName("org.slf4j.Logger", false, loader)).isSameAs(org.slf4j.Logger.class);
            assertThat(loader.getResource("io/lkworker/api/Agent.class")).isEqualTo(Agent.class.getResource("Agent.class"));
            assertThatThrownBy(() -> Class.forName("io.lkworker.config.WorkerConfig", false, loader))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> Class.forName("com.google.gson.Gson", false, loader))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThat(loader.getResource("logback.xml")).isNull();
        }
    }

    @Test
    void agentBundlingItsOwnGsonUsesItsOwnCopy() throws Exception {
        Path jar = jar("fat.jar", TestJars.builder()
                .source("demo.GsonAgent", """
                        package demo;
                        import com.google.gson.Gson;
                        public class GsonAgent implements io.lkworker.api.Agent {
                            public Class<?> gsonClass() { return new Gson().getClass(); }
                            @Override public void entrypoint(io.lkworker.api.JobContext ctx) {}
                        }
                        """)
                .agentService("demo.GsonAgent")
                .bundle(TestJars.jarOf(Gson.class)));

        try (LoadedAgent loaded = AgentLoader.load(jar, null)) {
            Class<?> agentsGson = (Class<?>) loaded.agent().getClass().getMethod("gsonClass").invoke(loaded.agent());
            assertThat(agentsGson.getName()).isEqualTo("com.google.gson.Gson");
            assertThat(agentsGson.getClassLoader()).isSameAs(loaded.loader());
            assertThat(agentsGson).isNotSameAs(Gson.class);
        }
    }

    @Test
    void bundledCopyOfTheApiIsIgnored() throws Exception {
        Path jar = jar("a.jar", TestJars.builder()
                .source("demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"))
                .agentService("demo.EchoAgent")
                .bundle(TestJars.jarOf(Agent.class)));
        try (LoadedAgent loaded = AgentLoader.load(jar, null)) {
            assertThat(loaded.agent()).isInstanceOf(Agent.class);
        }
    }

    private Path twoAgents() {
        return jar("two.jar", TestJars.builder()
                .source("demo.First", TestJars.simpleAgent("demo.First"))
                .source("demo.Second", TestJars.simpleAgent("demo.Second"))
                .agentService("demo.First", "demo.Second"));
    }
}
