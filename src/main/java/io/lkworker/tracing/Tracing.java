package io.lkworker.tracing;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the OpenTelemetry-backed implementations, which live in {@code tracing.otel} and are loaded
 * by name only once {@link TracingSwitch} says on: nothing else refers to them, so while tracing is
 * off no OpenTelemetry class is ever loaded. The daemon's side is
 * {@code io.lkworker.worker.JobTracing#forDaemon}; a job process's is {@link #forChild}.
 */
public final class Tracing {

    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    static final String CHILD_IMPLEMENTATION = "io.lkworker.tracing.otel.OtelChildTracing";

    private Tracing() {
    }

    /** The one loader of the implementations; see {@link TracingJars} for why it may be a loader of its own. */
    private static ClassLoader loader;

    private static synchronized ClassLoader implementationLoader() {
        if (loader == null) {
            ClassLoader own = Tracing.class.getClassLoader();
            if (TracingJars.onClassPath(own)) {
                loader = own;
            } else {
                java.nio.file.Path dir = TracingJars.directory();
                if (dir == null) {
                    throw new IllegalStateException(TracingJars.missing());
                }
                java.util.List<java.net.URL> urls = new java.util.ArrayList<>();
                for (java.nio.file.Path jar : TracingJars.jarsIn(dir)) {
                    try {
                        urls.add(jar.toUri().toURL());
                    } catch (java.net.MalformedURLException e) {
                        throw new IllegalStateException("bad tracing jar path " + jar, e);
                    }
                }
                loader = new TracingClassLoader(urls.toArray(new java.net.URL[0]), own);
            }
        }
        return loader;
    }

    /** A job process's tracing; it inherited its daemon's environment, so both decide alike. */
    public static ChildTracing forChild(Map<String, String> env) {
        TracingSwitch sw = TracingSwitch.fromEnvironment(env);
        return sw.on() ? instantiate(CHILD_IMPLEMENTATION, ChildTracing.class, ChildTracing.NONE) : ChildTracing.NONE;
    }

    /**
     * Builds {@code className} with its no-argument constructor; a failure (a bad OTEL_* value the SDK
     * rejects, a missing jar) returns {@code off} with one line saying why, rather than stopping the
     * worker or the job.
     */
    public static <T> T instantiate(String className, Class<T> type, T off) {
        try {
            return type.cast(implementationLoader().loadClass(className).getDeclaredConstructor().newInstance());
        } catch (IllegalStateException e) {
            log.warn("tracing stays off: {}", e.getMessage());
        } catch (java.lang.reflect.InvocationTargetException e) {
            log.warn("tracing stays off: the OpenTelemetry SDK could not be configured: {}", e.getCause().toString());
        } catch (ReflectiveOperationException | LinkageError e) {
            log.warn("tracing stays off: {} is unavailable: {}", className, e.toString());
        }
        return off;
    }
}
