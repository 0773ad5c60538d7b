package io.lkworker.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.testing.TestJars;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents and the OpenTelemetry API (docs/tracing.md, "Spans of your own"): the API's classes come from
 * lk-worker first, so an agent's spans reach the job process's SDK, whether the agent compiled against
 * the API in provided scope or bundles a copy; what lk-worker lacks in those packages comes from the
 * agent's jar.
 */
class AgentClassLoaderOpenTelemetryTest {

    @TempDir
    Path dir;

    /** An agent class that hands out the API types it linked against. */
    private static final String PROBE = """
            package probe;
            public class ApiProbe implements java.util.function.Supplier<Class<?>[]> {
                @Override public Class<?>[] get() {
                    return new Class<?>[] {io.opentelemetry.api.GlobalOpenTelemetry.class,
                            io.opentelemetry.context.Context.class, io.opentelemetry.api.incubator.Extra.class};
                }
            }
            """;

    /** A class in a host-first package that lk-worker does not have (as the API's incubator would be). */
    private static final String EXTRA = """
            package io.opentelemetry.api.incubator;
            public class Extra { }
            """;

    @Test
    void anAgentSeesLkWorkersApiEvenWhenItBundlesItsOwnCopy() throws Exception {
        Path bundling = TestJars.builder().source("probe.ApiProbe", PROBE).source("io.opentelemetry.api.incubator.Extra", EXTRA)
                .bundle(TestJars.jarOf(io.opentelemetry.api.GlobalOpenTelemetry.class))
                .bundle(TestJars.jarOf(io.opentelemetry.context.Context.class))
                .build(dir.resolve("bundling.jar"));
        Path provided = TestJars.builder().source("probe.ApiProbe", PROBE).source("io.opentelemetry.api.incubator.Extra", EXTRA)
                .build(dir.resolve("provided.jar"));

        for (Path jar : new Path[] {bundling, provided}) {
            try (AgentClassLoader loader = new AgentClassLoader(jar, getClass().getClassLoader())) {
                @SuppressWarnings("unchecked")
                Supplier<Class<?>[]> probe = (Supplier<Class<?>[]>) loader.loadClass("probe.ApiProbe")
                        .getDeclaredConstructor().newInstance();
                Class<?>[] seen = probe.get();
                assertThat(seen[0]).as("GlobalOpenTelemetry in %s", jar.getFileName())
                        .isSameAs(io.opentelemetry.api.GlobalOpenTelemetry.class);
                assertThat(seen[1]).as("Context in %s", jar.getFileName()).isSameAs(io.opentelemetry.context.Context.class);
                assertThat(seen[2].getClassLoader()).as("a class lk-worker lacks, from %s", jar.getFileName())
                        .isSameAs(loader);
            }
        }
    }

    @Test
    void onlyTheApiAndContextAreHostFirst() {
        assertThat(AgentClassLoader.isHostFirst("io.opentelemetry.api.trace.Span")).isTrue();
        assertThat(AgentClassLoader.isHostFirst("io.opentelemetry.context.Context")).isTrue();
        // the SDK and instrumentation an agent bundles stay its own
        assertThat(AgentClassLoader.isHostFirst("io.opentelemetry.sdk.OpenTelemetrySdk")).isFalse();
        assertThat(AgentClassLoader.isHostFirst("io.opentelemetry.instrumentation.okhttp.v3_0.OkHttpTelemetry")).isFalse();
        assertThat(AgentClassLoader.isHostFirst("io.opentelemetry.apix.Thing")).isFalse();
    }
}
