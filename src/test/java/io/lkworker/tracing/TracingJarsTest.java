package io.lkworker.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a daemon finds the OpenTelemetry jars, and which of them its job processes get. */
class TracingJarsTest {

    @TempDir
    Path tmp;

    @Test
    void anInstallationKeepsThemInLibTracingAndACheckoutInTargetTracingLibs() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("install/lib"));
        Path jar = Files.createFile(lib.resolve("lk-worker-1.0.jar"));
        assertThat(TracingJars.directory(jar)).isNull();
        Path tracing = Files.createDirectories(lib.resolve("tracing"));
        assertThat(TracingJars.directory(jar)).isEqualTo(tracing);

        Path classes = Files.createDirectories(tmp.resolve("checkout/target/classes"));
        assertThat(TracingJars.directory(classes)).isNull();
        Path libs = Files.createDirectories(tmp.resolve("checkout/target/tracing-libs"));
        assertThat(TracingJars.directory(classes)).isEqualTo(libs);
    }

    @Test
    void onlyTheApiJarsCountAsApi() {
        assertThat(TracingClassPath.isApiJar("opentelemetry-api-1.68.0.jar")).isTrue();
        assertThat(TracingClassPath.isApiJar("opentelemetry-context-1.68.0.jar")).isTrue();
        assertThat(TracingClassPath.isApiJar("opentelemetry-common-1.68.0.jar")).isTrue();
        assertThat(TracingClassPath.isApiJar("opentelemetry-api-incubator-1.68.0-alpha.jar")).isFalse();
        assertThat(TracingClassPath.isApiJar("opentelemetry-sdk-common-1.68.0.jar")).isFalse();
    }

    /** This build's target/tracing-libs, as a daemon started by bin/lk-worker from the checkout sees it. */
    @Test
    void jobProcessesGetTheApiAlwaysAndTheSdkWhenTracingIsOn() throws Exception {
        try (URLClassLoader withoutOpenTelemetry = new URLClassLoader(new URL[0], null)) {
            List<String> off = TracingClassPath.jars(withoutOpenTelemetry, false);
            List<String> on = TracingClassPath.jars(withoutOpenTelemetry, true);
            assertThat(off).hasSize(3).allMatch(p -> p.contains("tracing-libs"))
                    .anyMatch(p -> p.endsWith("opentelemetry-api-1.68.0.jar"));
            assertThat(on).hasSize(14).containsAll(off)
                    .anyMatch(p -> p.endsWith("opentelemetry-exporter-sender-jdk-1.68.0.jar"))
                    .noneMatch(p -> p.contains("okhttp") || p.contains("kotlin"));
        }
    }

    @Test
    void onTheTestClassPathTheMarkersFindEveryJar() {
        List<String> on = TracingClassPath.jars(getClass().getClassLoader(), true);
        assertThat(on).hasSize(14).doesNotHaveDuplicates();
        assertThat(TracingClassPath.jars(getClass().getClassLoader(), false)).hasSize(3);
    }
}
