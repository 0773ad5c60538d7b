package io.lkworker.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.config.ConfigDefaults;
import io.lkworker.config.ConfigKeys;
import io.lkworker.config.WorkerConfig.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * packaging/docker/Dockerfile, checked without a docker engine: what the daemon and its job processes
 * need, and what makes it behave in a container (non-root, init as PID 1, exec form, stop signal,
 * health port), against the rest of the build (tarball layout, defaults).
 */
class ContainerImageTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path DOCKERFILE = PROJECT.resolve("packaging/docker/Dockerfile");

    private final Dockerfile docker;

    ContainerImageTest() throws Exception {
        docker = Dockerfile.parse(DOCKERFILE);
    }

    @Test
    void aMaintainedJava25RuntimeIsTheBase() {
        // 25, not 17: the AOT cache the launcher and the pool use on 25+ (Dockerfile's comment)
        List<Dockerfile.Instruction> from = docker.all("FROM");
        assertThat(from).hasSize(1);
        String image = from.get(0).arguments();
        boolean temurin = image.matches("eclipse-temurin:25(\\.[\\d.+_]+)?-jre(-[a-z]+)?");
        boolean debian = image.matches("debian:[a-z]+(-slim)?") && installed().contains("openjdk-25-jre-headless");
        assertThat(temurin || debian).as("base image " + image).isTrue();
    }

    /** Every package apt-get installs, over all RUN instructions. */
    private List<String> installed() {
        return docker.all("RUN").stream()
                .flatMap(run -> Pattern.compile("apt-get install((?:\\s+[-\\w.+=]+)+)").matcher(run.arguments()).results())
                .flatMap(m -> Pattern.compile("\\s+").splitAsStream(m.group(1).strip()))
                .filter(word -> !word.startsWith("-"))
                .toList();
    }

    @Test
    void theSystemLibrariesOfRoomsAndProcessSupervisionAreInstalled() {
        // libwebrtc links libpulse.so.0 and libX11.so.6 (the .deb depends on the same packages);
        // setsid/setpriv make job processes die with the daemon; tini is PID 1
        assertThat(installed()).contains("libpulse0", "libx11-6", "util-linux", "tini");
        assertThat(docker.all("RUN")).filteredOn(r -> r.arguments().contains("apt-get install"))
                .allSatisfy(r -> assertThat(r.arguments()).contains("--no-install-recommends")
                        .contains("apt-get update").contains("rm -rf /var/lib/apt/lists/*"));
        String control = read("packaging/deb/control");
        assertThat(control).contains("libpulse0").contains("libx11-6");
    }

    @Test
    void theTarballDistributionIsWhatRuns() {
        Dockerfile.Instruction add = docker.all("ADD").stream()
                .filter(a -> a.arguments().contains("target/lk-worker-")).findFirst().orElseThrow();
        // ADD unpacks a local tar archive: its top directory (the assembly's baseDirectory) lands in /opt
        assertThat(add.arguments()).matches("target/lk-worker-\\*\\.tar\\.gz /opt/");
        Matcher base = Pattern.compile("<baseDirectory>([^<]+)</baseDirectory>").matcher(read("src/main/assembly/dist.xml"));
        assertThat(base.find()).isTrue();
        List<String> entrypoint = docker.last("ENTRYPOINT").execForm();
        assertThat(entrypoint).last().isEqualTo("/opt/" + base.group(1) + "/bin/lk-worker");
        // the build context sends the tarball and nothing else
        List<String> ignore = read(".dockerignore").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignore).containsExactly("*", "!target/lk-worker-*.tar.gz");
    }

    @Test
    void itRunsAsANumericNonRootUser() {
        Dockerfile.Instruction user = docker.last("USER");
        assertThat(user).as("USER").isNotNull();
        assertThat(user.arguments()).matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.arguments().split(":")[0])).isPositive();
        // nothing runs as root after it
        assertThat(docker.instructions().subList(docker.indexOf(user), docker.instructions().size()))
                .noneMatch(i -> i.keyword().equals("RUN") || i.keyword().equals("USER") && i != user);
    }

    @Test
    void tiniIsPid1AndTheDaemonGetsSigterm() {
        List<String> entrypoint = docker.last("ENTRYPOINT").execForm();
        assertThat(entrypoint).as("exec form, so no shell sits between tini and the daemon").isNotNull();
        assertThat(entrypoint).startsWith("/usr/bin/tini", "--").hasSize(3);
        assertThat(entrypoint.get(2)).endsWith("/bin/lk-worker");
        // -g would signal the whole process group: the daemon stops its job processes itself, in order
        assertThat(entrypoint).doesNotContain("-g");
        assertThat(docker.last("CMD").execForm()).containsExactly("start");
        assertThat(docker.last("STOPSIGNAL").arguments()).isEqualTo("SIGTERM");
        // the launcher execs java: the JVM is tini's child, not a shell
        assertThat(read("bin/lk-worker")).contains("exec \"$JAVA\"");
    }

    @Test
    void theHealthPortIsExposed() {
        Map<String, String> defaults = ConfigDefaults.forMode(Mode.PROD, Map.of());
        assertThat(docker.all("EXPOSE")).extracting(Dockerfile.Instruction::arguments)
                .containsExactly(defaults.get(ConfigKeys.HEALTH_PORT));
        assertThat(defaults.get(ConfigKeys.HEALTH_HOST)).as("reachable from outside the container").isEqualTo("0.0.0.0");
    }

    @Test
    void theAgentHasItsPlaceAndNoSecretIsBakedIn() {
        List<String> env = docker.all("ENV").stream().map(Dockerfile.Instruction::arguments).toList();
        assertThat(env).contains(ConfigKeys.envVar(ConfigKeys.AGENT) + "=/agent/agent.jar");
        assertThat(String.join(" ", env)).doesNotContain("LIVEKIT_API_SECRET").doesNotContain("LIVEKIT_API_KEY");
        assertThat(docker.all("ARG")).noneMatch(a -> a.arguments().toUpperCase().contains("SECRET"));
    }

    @Test
    void theOperationsGuideSaysHowToBuildAndRunIt() {
        // the README's "Container image" section moved to docs/operations.md (issue 19)
        String guide = read("docs/operations.md");
        assertThat(guide).contains("docker build -f packaging/docker/Dockerfile -t lk-worker:")
                .contains("/agent/agent.jar").contains("FROM lk-worker:").contains("docker run");
    }

    private static String read(String path) {
        try {
            return Files.readString(PROJECT.resolve(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
