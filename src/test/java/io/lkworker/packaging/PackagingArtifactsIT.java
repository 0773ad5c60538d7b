package io.lkworker.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the built .deb and tar.gz. They exist only after {@code mvn package}, so each test skips
 * (assumption) when its artifact or tool is missing: they run in the integration-test phase of {@code mvn verify}, after packaging; the first {@code mvn test} in a fresh clone
 * runs none of them; {@code mvn package && mvn test} runs them all.
 */
@Tag("packaging")
class PackagingArtifactsIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path TARGET = PROJECT.resolve("target");

    @TempDir
    Path tmp;

    private static Optional<Path> artifact(String glob) throws IOException {
        if (!Files.isDirectory(TARGET)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(TARGET)) {
            return files.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName()))
                    .findFirst();
        }
    }

    private static Path deb() throws IOException {
        Optional<Path> deb = artifact("lk-worker_*_amd64.deb");
        assumeTrue(deb.isPresent(), "no target/lk-worker_*.deb: run `mvn package` first");
        assumeTrue(Commands.onPath("dpkg-deb"), "dpkg-deb not installed");
        return deb.get();
    }

    @Test
    void debInstallsTheExpectedFiles() throws Exception {
        Commands.Result contents = Commands.run("dpkg-deb", "--contents", deb().toString());
        assertThat(contents.exitCode()).as(contents.output()).isZero();
        List<String> lines = contents.output().lines().toList();

        assertThat(lines).anySatisfy(l -> assertThat(l).matches("-rw-r--r-- root/root .* \\./opt/lk-worker/lib/lk-worker-[^/]*\\.jar"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(".* \\./opt/lk-worker/lib/gson-[^/]*\\.jar"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(".* \\./opt/lk-worker/lib/prometheus-metrics-core-[^/]*\\.jar"));
        assertThat(lines).noneSatisfy(l -> assertThat(l).matches(".*/lib/(junit|assertj|awaitility)-.*"));
        // OpenTelemetry: beside lk-worker's jar, never on the daemon's class path (lib/*; docs/tracing.md)
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("-rw-r--r-- root/root .* \\./opt/lk-worker/lib/tracing/opentelemetry-sdk-trace-[^/]*\\.jar"));
        assertThat(lines).noneSatisfy(l -> assertThat(l).matches(".* \\./opt/lk-worker/lib/opentelemetry-.*"));
        assertThat(lines).noneSatisfy(l -> assertThat(l).matches(".*/lib/.*(okhttp|kotlin).*"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("l.* \\./usr/bin/lk-worker -> /opt/lk-worker/bin/lk-worker"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("l.* \\./opt/lk-worker/conf -> /etc/lk-worker"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("-rw-r--r-- root/root .* \\./lib/systemd/system/lk-worker\\.service"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("-rw-r--r-- root/root .* \\./etc/lk-worker/logback\\.xml"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("-rw-r----- root/root .* \\./etc/default/lk-worker"));
        // bin/quickstart builds from the sources: useless, and misleading, in an installation
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains("quickstart"));
        // written on other branches; in the package as soon as they exist in the tree
        if (Files.exists(PROJECT.resolve("bin/lk-worker"))) {
            assertThat(lines).anySatisfy(l -> assertThat(l).matches("-rwxr-xr-x root/root .* \\./opt/lk-worker/bin/lk-worker"));
        }
        if (Files.exists(PROJECT.resolve("conf/lk-worker.properties"))) {
            assertThat(lines).anySatisfy(l -> assertThat(l).matches(".* \\./etc/lk-worker/lk-worker\\.properties"));
        }
    }

    @Test
    void debControlDeclaresJavaAndConffiles() throws Exception {
        Path deb = deb();
        Commands.Result fields = Commands.run("dpkg-deb", "--field", deb.toString(), "Package", "Architecture", "Depends");
        assertThat(fields.exitCode()).as(fields.output()).isZero();
        assertThat(fields.output())
                .contains("Package: lk-worker")
                .contains("Architecture: amd64")
                .contains("openjdk-17-jre-headless | java17-runtime-headless | java-runtime-headless (>= 17)")
                // libwebrtc (rooms) links these; without them connect() fails (ldd on the bundled library)
                .contains("libpulse0").contains("libx11-6");

        Commands.Result conffiles = Commands.run("dpkg-deb", "--info", deb.toString(), "conffiles");
        assertThat(conffiles.exitCode()).as(conffiles.output()).isZero();
        assertThat(conffiles.output().lines()).contains("/etc/lk-worker/logback.xml", "/etc/default/lk-worker");
        if (Files.exists(PROJECT.resolve("conf/lk-worker.properties"))) {
            assertThat(conffiles.output().lines()).contains("/etc/lk-worker/lk-worker.properties");
        }

        Commands.Result postinst = Commands.run("dpkg-deb", "--info", deb.toString(), "postinst");
        assertThat(postinst.output()).contains("adduser --system --group --no-create-home");
    }

    /**
     * The service and an administrator's {@code sudo lk-worker drain}/{@code status} agree on where the
     * pid file is because both read /etc/lk-worker/lk-worker.properties: the shipped file with run-dir
     * and cache-dir switched on, at the directories the unit has systemd create.
     */
    @Test
    void debConfigPointsAtTheUnitsRuntimeAndCacheDirectories() throws Exception {
        Path deb = deb();
        Commands.Result unpack = Commands.run("dpkg-deb", "-x", deb.toString(), tmp.toString());
        assertThat(unpack.exitCode()).as(unpack.output()).isZero();
        String unit = Files.readString(tmp.resolve("lib/systemd/system/lk-worker.service"));
        java.util.regex.Matcher runtime = java.util.regex.Pattern.compile("(?m)^RuntimeDirectory=(\\S+)$").matcher(unit);
        java.util.regex.Matcher cache = java.util.regex.Pattern.compile("(?m)^CacheDirectory=(\\S+)$").matcher(unit);
        assertThat(runtime.find()).isTrue();
        assertThat(cache.find()).isTrue();

        List<String> installed = Files.readAllLines(tmp.resolve("etc/lk-worker/lk-worker.properties"));
        List<String> shipped = Files.readAllLines(PROJECT.resolve("conf/lk-worker.properties"));
        assertThat(installed.stream().filter(l -> !l.isBlank() && !l.startsWith("#")))
                .containsExactly("run-dir=/run/" + runtime.group(1), "cache-dir=/var/cache/" + cache.group(1));
        assertThat(installed).hasSameSizeAs(shipped);
        for (int i = 0; i < shipped.size(); i++) {
            if (!installed.get(i).equals(shipped.get(i))) {
                assertThat(shipped.get(i)).as("only these are switched on").isIn("#run-dir=", "#cache-dir=");
            }
        }
    }

    /** What an agent author compiles against, and what their IDE shows for it. */
    @Test
    void theAgentApiComesWithItsSourcesAndJavadoc() throws Exception {
        Optional<Path> api = artifact("lk-worker-*-api.jar");
        Optional<Path> sources = artifact("lk-worker-*-api-sources.jar");
        Optional<Path> javadoc = artifact("lk-worker-*-api-javadoc.jar");
        assumeTrue(api.isPresent() && sources.isPresent() && javadoc.isPresent(),
                "no target/lk-worker-*-api*.jar: run `mvn package` first");

        assertThat(entries(api.get())).contains("io/lkworker/api/Agent.class", "io/lkworker/api/rtc/Room.class")
                .allMatch(e -> e.startsWith("META-INF/") || e.startsWith("io/lkworker/api/") || e.equals("io/")
                        || e.equals("io/lkworker/"));
        assertThat(entries(sources.get())).contains("io/lkworker/api/Agent.java", "io/lkworker/api/rtc/Room.java")
                .noneMatch(e -> e.endsWith(".java") && !e.startsWith("io/lkworker/api/"));
        assertThat(entries(javadoc.get())).contains("index.html", "io/lkworker/api/Agent.html",
                "io/lkworker/api/rtc/Room.html").noneMatch(e -> e.startsWith("io/lkworker/worker/"));
    }

    private static List<String> entries(Path jar) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            return zip.stream().map(java.util.zip.ZipEntry::getName).toList();
        }
    }

    @Test
    void tarballUnpacksToTheDistributionLayout() throws Exception {
        Optional<Path> tgz = artifact("lk-worker-*.tar.gz");
        assumeTrue(tgz.isPresent(), "no target/lk-worker-*.tar.gz: run `mvn package` first");
        Commands.Result untar = Commands.run("tar", "-xzf", tgz.get().toString(), "-C", tmp.toString());
        assertThat(untar.exitCode()).as(untar.output()).isZero();

        Path home = tmp.resolve("lk-worker");
        String version = tgz.get().getFileName().toString().replaceFirst("^lk-worker-", "").replaceFirst("\\.tar\\.gz$", "");
        assertThat(home.resolve("lib/lk-worker-" + version + ".jar")).isRegularFile();
        assertThat(home.resolve("lib").toFile().list()).anyMatch(n -> n.startsWith("picocli-"));
        assertThat(home.resolve("conf/logback.xml")).isRegularFile();
        assertThat(home.resolve("lib").toFile().list()).noneMatch(n -> n.endsWith("-api.jar"));
        assertThat(home.resolve("lib").toFile().list()).noneMatch(n -> n.startsWith("opentelemetry-"));
        assertThat(home.resolve("lib/tracing").toFile().list()).hasSize(14).allMatch(n -> n.startsWith("opentelemetry-"));
        assertThat(home.resolve("bin/quickstart")).doesNotExist();

        Path launcher = home.resolve("bin/lk-worker");
        assumeTrue(Files.exists(launcher), "bin/lk-worker not written yet: launcher check skipped");
        assertThat(launcher).isExecutable();
        // a JAVA_HOME from the surrounding build would do; the test JVM's own is always there
        Commands.Result run = Commands.run(home, Map.of("JAVA_HOME", System.getProperty("java.home")),
                launcher.toString(), "--version");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains(version);
    }
}
