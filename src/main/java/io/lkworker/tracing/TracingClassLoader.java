package io.lkworker.tracing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * Loads the OpenTelemetry-backed implementations ({@code io.lkworker.tracing.otel}) together with the
 * OpenTelemetry jars of the tracing directory ({@link TracingJars}), which are not on the daemon's
 * class path. Everything else comes from lk-worker's own loader first (the interfaces the
 * implementations implement must be the same classes); the implementation classes themselves are
 * defined here from lk-worker's class files, so that they link against the jars this loader has.
 * Created once, only when tracing is on.
 */
final class TracingClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    static final String IMPLEMENTATION_PACKAGE = "io.lkworker.tracing.otel.";

    private final ClassLoader host;

    TracingClassLoader(URL[] jars, ClassLoader host) {
        super("lk-worker-tracing", jars, host);
        this.host = host;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(IMPLEMENTATION_PACKAGE)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                String resource = name.replace('.', '/') + ".class";
                try (InputStream in = host.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new ClassNotFoundException(name);
                    }
                    byte[] bytes = in.readAllBytes();
                    c = defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}
