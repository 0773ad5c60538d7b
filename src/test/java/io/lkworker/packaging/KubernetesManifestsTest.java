package io.lkworker.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.config.ConfigDefaults;
import io.lkworker.config.ConfigKeys;
import io.lkworker.config.Durations;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.health.PrometheusWorkerMetrics;
import io.lkworker.worker.WorkerSnapshot;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Every manifest under packaging/kubernetes, parsed, and the invariants that make a fleet of workers
 * safe to roll, evict and autoscale: drain-friendly rollouts, probes on the right endpoints, a
 * disruption budget, and autoscalers on a metric the worker really exports, all aimed at the same
 * Deployment and consistent with the container image.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("packaging/kubernetes").toAbsolutePath();
    private static final List<Map<String, Object>> DOCS = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader in = Files.newBufferedReader(file)) {
                    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                        if (doc != null) {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> map = (Map<String, Object>) doc;
                            map.put("__file", file.getFileName().toString());
                            DOCS.add(map);
                        }
                    }
                }
            }
        }
    }

    // ---- navigation ----

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String path) {
        Object current = node;
        for (String part : path.split("\\.")) {
            if (current == null) {
                return null;
            }
            current = part.matches("\\d+") ? ((List<Object>) current).get(Integer.parseInt(part))
                    : ((Map<String, Object>) current).get(part);
        }
        return (T) current;
    }

    private static Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = DOCS.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Object> deployment() {
        return only("Deployment");
    }

    private static Map<String, Object> container() {
        List<Map<String, Object>> containers = at(deployment(), "spec.template.spec.containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Map<String, String> podLabels() {
        return at(deployment(), "spec.template.metadata.labels");
    }

    /** The value following {@code option} in the container's args, else the default of `start`. */
    private static String option(String key) {
        List<String> args = at(container(), "args");
        int i = args.indexOf(ConfigKeys.option(key));
        return i >= 0 ? args.get(i + 1) : ConfigDefaults.forMode(Mode.PROD, Map.of()).get(key);
    }

    private static Object number(Object quantity) {
        return quantity instanceof String s ? s : quantity.toString();
    }

    /** "500m" → 0.5, "2" → 2 (Kubernetes quantities as used here). */
    private static double quantity(Object value) {
        String s = value.toString();
        return s.endsWith("m") ? Double.parseDouble(s.substring(0, s.length() - 1)) / 1000 : Double.parseDouble(s);
    }

    // ---- the checks ----

    @Test
    void everyManifestParsesAndNamesItself() {
        assertThat(DOCS).extracting(d -> d.get("__file")).contains("lk-worker.yaml", "hpa.yaml",
                "keda-scaledobject.yaml", "pdb.yaml", "prometheus-adapter-rules.yaml", "podmonitor.yaml");
        assertThat(DOCS).allSatisfy(d -> {
            assertThat(d.get("apiVersion")).as(d.get("__file") + ": apiVersion").isNotNull();
            assertThat(d.get("kind")).as(d.get("__file") + ": kind").isNotNull();
            assertThat((String) at(d, "metadata.name")).as(d.get("__file") + ": metadata.name").isNotBlank();
        });
    }

    @Test
    void rolloutsBringUpAReplacementBeforeDrainingAndNeverCutTheDrainShort() {
        Map<String, Object> d = deployment();
        assertThat((String) at(d, "spec.strategy.type")).isEqualTo("RollingUpdate");
        assertThat(number(at(d, "spec.strategy.rollingUpdate.maxUnavailable"))).isEqualTo("0");
        assertThat(Integer.parseInt(number(at(d, "spec.strategy.rollingUpdate.maxSurge")).toString())).isPositive();
        Duration drain = Durations.parse(option(ConfigKeys.DRAIN_TIMEOUT));
        int grace = at(d, "spec.template.spec.terminationGracePeriodSeconds");
        assertThat(drain).as("a drain without limit would outlive any grace period").isPositive();
        assertThat(Duration.ofSeconds(grace)).as("grace above the drain timeout, with time to stop the children")
                .isGreaterThanOrEqualTo(drain.plusSeconds(15));
    }

    @Test
    void readinessIsRegisteredAndLivenessIsAlive() {
        Map<String, Object> c = container();
        String port = at(c, "ports.0.name");
        int containerPort = at(c, "ports.0.containerPort");
        assertThat(Integer.toString(containerPort)).isEqualTo(option(ConfigKeys.HEALTH_PORT));
        assertThat((String) at(c, "livenessProbe.httpGet.path")).isEqualTo("/");
        assertThat((String) at(c, "readinessProbe.httpGet.path")).isEqualTo("/ready");
        assertThat((Object) at(c, "livenessProbe.httpGet.port")).isEqualTo(port);
        assertThat((Object) at(c, "readinessProbe.httpGet.port")).isEqualTo(port);
    }

    @Test
    void theContainerIsTheImagesWithCredentialsFromASecret() throws IOException {
        Map<String, Object> c = container();
        Dockerfile docker = Dockerfile.parse(ContainerImageTest.DOCKERFILE);
        // tini and the launcher come from the image's ENTRYPOINT: not replaced here
        assertThat(c).doesNotContainKey("command");
        assertThat(((List<String>) at(c, "args")).get(0)).isEqualTo("start");
        // the image's user; a read-only root with /tmp (run directory, archives) writable
        String uid = docker.last("USER").arguments().split(":")[0];
        assertThat((Object) at(deployment(), "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(String.valueOf((Object) at(deployment(), "spec.template.spec.securityContext.runAsUser"))).isEqualTo(uid);
        assertThat(docker.all("EXPOSE")).extracting(Dockerfile.Instruction::arguments)
                .containsExactly(String.valueOf((Object) at(c, "ports.0.containerPort")));
        assertThat((Object) at(c, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        List<Map<String, Object>> mounts = at(c, "volumeMounts");
        assertThat(mounts).anySatisfy(m -> assertThat(m.get("mountPath")).isEqualTo("/tmp"));
        // secrets from a Secret, never as literal values
        assertThat((String) at(c, "envFrom.0.secretRef.name")).isNotBlank();
        List<Map<String, Object>> env = at(c, "env");
        assertThat(env == null ? List.<Map<String, Object>>of() : env)
                .noneMatch(e -> String.valueOf(e.get("name")).startsWith("LIVEKIT_API"));
        // CPU request = limit: the load the autoscaler sees is relative to the pod's quota
        assertThat(number(at(c, "resources.requests.cpu"))).isEqualTo(number(at(c, "resources.limits.cpu")));
    }

    @Test
    void evictionsTakeOnePodAtATime() {
        Map<String, Object> pdb = only("PodDisruptionBudget");
        assertThat((String) pdb.get("apiVersion")).isEqualTo("policy/v1");
        assertThat((Map<String, String>) at(pdb, "spec.selector.matchLabels")).isEqualTo(podLabels());
        assertThat(number(at(pdb, "spec.maxUnavailable"))).isEqualTo("1");
        int minReplicas = at(only("HorizontalPodAutoscaler"), "spec.minReplicas");
        assertThat(minReplicas).as("with one pod, an eviction would leave none").isGreaterThanOrEqualTo(2);
    }

    /** The metric names the autoscalers use, taken from what the worker really exports. */
    private static String exportedMetrics() {
        return new PrometheusWorkerMetrics(() -> WorkerSnapshot.initial("", "JT_ROOM")).scrape();
    }

    @Test
    void theHpaScalesTheDeploymentOnTheWorkersLoadBelowItsThreshold() {
        Map<String, Object> hpa = only("HorizontalPodAutoscaler");
        assertThat((String) hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat((String) at(hpa, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
        assertThat((String) at(hpa, "spec.scaleTargetRef.name")).isEqualTo(at(deployment(), "metadata.name"));
        String metric = at(hpa, "spec.metrics.0.pods.metric.name");
        assertThat((String) at(hpa, "spec.metrics.0.type")).isEqualTo("Pods");
        assertThat(metric).isEqualTo("lkworker_worker_load");
        assertThat(exportedMetrics()).contains("\n" + metric + " ");
        double target = quantity(at(hpa, "spec.metrics.0.pods.target.averageValue"));
        double threshold = Double.parseDouble(option(ConfigKeys.LOAD_THRESHOLD));
        assertThat(target).as("scale out before workers report themselves full").isPositive().isLessThan(threshold);
        // scale-down drains pods: slowly, never on a momentary dip
        int window = at(hpa, "spec.behavior.scaleDown.stabilizationWindowSeconds");
        assertThat(window).isGreaterThanOrEqualTo(300);
        assertThat((int) at(hpa, "spec.maxReplicas")).isGreaterThan(at(hpa, "spec.minReplicas"));
    }

    @Test
    void thePrometheusAdapterServesTheMetricTheHpaUses() {
        Map<String, Object> config = only("ConfigMap");
        Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load((String) ((Map<String, Object>) at(config, "data")).get("config.yaml"));
        List<Map<String, Object>> list = at(rules, "rules");
        String metric = at(only("HorizontalPodAutoscaler"), "spec.metrics.0.pods.metric.name");
        assertThat(list).anySatisfy(rule -> {
            assertThat((String) rule.get("seriesQuery")).startsWith(metric + "{");
            assertThat((String) at(rule, "name.as")).isEqualTo(metric);
            assertThat((Object) at(rule, "resources.overrides.pod.resource")).isEqualTo("pod");
            assertThat((Object) at(rule, "resources.overrides.namespace.resource")).isEqualTo("namespace");
            assertThat((String) rule.get("metricsQuery")).contains("<<.Series>>").contains("<<.GroupBy>>");
        });
    }

    @Test
    void kedaIsTheSameAutoscalerWithTheSameTargetAndBehaviour() {
        Map<String, Object> keda = only("ScaledObject");
        Map<String, Object> hpa = only("HorizontalPodAutoscaler");
        assertThat((String) keda.get("apiVersion")).startsWith("keda.sh/");
        assertThat((String) at(keda, "spec.scaleTargetRef.name")).isEqualTo(at(deployment(), "metadata.name"));
        assertThat((Object) at(keda, "spec.minReplicaCount")).isEqualTo(at(hpa, "spec.minReplicas"));
        assertThat((Object) at(keda, "spec.maxReplicaCount")).isEqualTo(at(hpa, "spec.maxReplicas"));
        assertThat((String) at(keda, "spec.triggers.0.type")).isEqualTo("prometheus");
        // AverageValue: the HPA divides the query's value by the replicas, so the query must be a sum
        assertThat((String) at(keda, "spec.triggers.0.metricType")).isEqualTo("AverageValue");
        String query = at(keda, "spec.triggers.0.metadata.query");
        assertThat(query).startsWith("sum(").contains("lkworker_worker_load{");
        Matcher pods = Pattern.compile("pod=~\"([^\"]+)\"").matcher(query);
        assertThat(pods.find()).isTrue();
        assertThat("lk-worker-5d8f7c9b6-x2x4q").as("a pod of the Deployment").matches(pods.group(1));
        assertThat(Double.parseDouble(at(keda, "spec.triggers.0.metadata.threshold")))
                .isEqualTo(quantity(at(hpa, "spec.metrics.0.pods.target.averageValue")));
        assertThat((Object) at(keda, "spec.advanced.horizontalPodAutoscalerConfig.behavior"))
                .isEqualTo(at(hpa, "spec.behavior"));
    }

    @Test
    void prometheusScrapesTheHealthPort() {
        Map<String, Object> monitor = only("PodMonitor");
        assertThat((Map<String, String>) at(monitor, "spec.selector.matchLabels")).isEqualTo(podLabels());
        assertThat((Object) at(monitor, "spec.podMetricsEndpoints.0.port")).isEqualTo(at(container(), "ports.0.name"));
        assertThat((Object) at(monitor, "spec.podMetricsEndpoints.0.path")).isEqualTo("/metrics");
        Map<String, String> annotations = at(deployment(), "spec.template.metadata.annotations");
        assertThat(annotations).containsEntry("prometheus.io/path", "/metrics")
                .containsEntry("prometheus.io/port", String.valueOf((Object) at(container(), "ports.0.containerPort")));
    }
}
