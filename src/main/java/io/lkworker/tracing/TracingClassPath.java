package io.lkworker.tracing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenTelemetry jars a job process needs: in an installation, those of the tracing directory
 * ({@link TracingJars}); where lk-worker's own class path has them (tests), found there by resource
 * lookups (which never load a class: the daemon stays free of OpenTelemetry classes while tracing is off).
 *
 * <p>The API jars are on every job process's class path, tracing or not: an agent compiled against
 * {@code opentelemetry-api} in {@code provided} scope links, and its spans are no-ops while tracing
 * is off ({@code GlobalOpenTelemetry} is then the no-op instance). The SDK and the exporter are added
 * only when tracing is on.
 */
public final class TracingClassPath {

    /** One class of each API jar (api, context, common). */
    static final List<String> API_MARKERS = List.of(
            "io/opentelemetry/api/OpenTelemetry.class",
            "io/opentelemetry/context/Context.class",
            "io/opentelemetry/common/ComponentLoader.class");

    /** One class of each further jar the SDK, its autoconfiguration and the OTLP/HTTP exporter need. */
    static final List<String> SDK_MARKERS = List.of(
            "io/opentelemetry/sdk/OpenTelemetrySdk.class",
            "io/opentelemetry/sdk/common/Clock.class",
            "io/opentelemetry/sdk/trace/SdkTracerProvider.class",
            "io/opentelemetry/sdk/metrics/SdkMeterProvider.class",
            "io/opentelemetry/sdk/logs/SdkLoggerProvider.class",
            "io/opentelemetry/sdk/autoconfigure/AutoConfiguredOpenTelemetrySdk.class",
            "io/opentelemetry/sdk/autoconfigure/spi/ConfigProperties.class",
            "io/opentelemetry/exporter/otlp/http/trace/OtlpHttpSpanExporter.class",
            "io/opentelemetry/exporter/internal/otlp/AnyValueMarshaler.class",
            "io/opentelemetry/exporter/internal/ExporterBuilderUtil.class",
            "io/opentelemetry/exporter/sender/jdk/internal/JdkHttpSender.class");

    private TracingClassPath() {
    }

    /** File-name prefixes of the API's jars in the tracing directory. */
    static final List<String> API_JAR_PREFIXES = List.of("opentelemetry-api-", "opentelemetry-context-",
            "opentelemetry-common-");

    /**
     * The jars for a job process: the API's always, the SDK's too when {@code tracingOn}. From
     * {@code loader}'s class path when it has them, else from the tracing directory ({@link TracingJars});
     * none when neither has them (tracing then stays off in the job process too, as in the daemon).
     */
    public static List<String> jars(ClassLoader loader, boolean tracingOn) {
        if (!TracingJars.onClassPath(loader)) {
            // Plain loops: this runs in every daemon, tracing or not (no stream or lambda machinery for it).
            List<String> found = new ArrayList<>();
            Path dir = TracingJars.directory();
            if (dir != null) {
                for (Path jar : TracingJars.jarsIn(dir)) {
                    if (tracingOn || isApiJar(jar.getFileName().toString())) {
                        found.add(jar.toString());
                    }
                }
            }
            return found;
        }
        List<String> jars = new ArrayList<>(locate(loader, API_MARKERS));
        if (tracingOn) {
            jars.addAll(locate(loader, SDK_MARKERS));
        }
        return jars;
    }

    static boolean isApiJar(String fileName) {
        for (String prefix : API_JAR_PREFIXES) {
            if (fileName.startsWith(prefix) && fileName.length() > prefix.length()
                    && Character.isDigit(fileName.charAt(prefix.length()))) {
                return true;
            }
        }
        return false;
    }

    static List<String> locate(ClassLoader loader, List<String> markers) {
        List<String> jars = new ArrayList<>();
        for (String marker : markers) {
            URL url = loader.getResource(marker);
            if (url == null) {
                throw new IllegalStateException("OpenTelemetry class " + marker + " is not on lk-worker's class path"
                        + " (an incomplete installation?)");
            }
            jars.add(codeSource(url, marker));
        }
        return jars;
    }

    /** {@code jar:file:/x.jar!/a/B.class} → /x.jar; {@code file:/dir/a/B.class} → /dir. */
    private static String codeSource(URL url, String marker) {
        try {
            if (url.getProtocol().equals("jar")) {
                String spec = url.getPath();
                return Path.of(new java.net.URI(spec.substring(0, spec.indexOf("!/")))).toString();
            }
            Path file = Path.of(url.toURI());
            Path root = file;
            for (int i = 0; i < marker.split("/").length; i++) {
                root = root.getParent();
            }
            return root.toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot locate the jar of " + marker + " (" + url + ")", e);
        }
    }
}
