package io.lkworker.runner;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader an agent jar runs in. Its parent is the platform class loader, so the agent
 * sees the JDK and its own jar (plus any jars its manifest {@code Class-Path} names) but none of
 * lk-worker's internals or libraries: it may bundle any version of protobuf, Gson, OkHttp, …
 *
 * <p>Exactly two package trees are taken from lk-worker's own loader instead, so that the agent
 * and the host agree on their types: the agent API ({@code io.lkworker.api}) and SLF4J (so agent
 * logging reaches the host's provider, with MDC: the daemon's logback, or a child's
 * {@link IpcLoggingProvider}). A copy of either bundled in the agent jar is ignored.
 *
 * <p>The OpenTelemetry API ({@code io.opentelemetry.api}, {@code io.opentelemetry.context}) is taken
 * from lk-worker first as well, so an agent's spans reach the job process's SDK and nest under the
 * job's spans (docs/tracing.md): an agent may compile against it in {@code provided} scope, and a copy
 * it bundles is ignored for the classes lk-worker has. Classes of those packages that lk-worker does
 * not have (the API's incubator, a newer API's additions) come from the agent's own jars.
 */
public final class AgentClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    /** Class-name prefixes resolved by the host loader. */
    static final List<String> SHARED_PACKAGES = List.of("io.lkworker.api.", "org.slf4j.");
    /** The same trees as resource paths. */
    private static final List<String> SHARED_RESOURCES = List.of("io/lkworker/api/", "org/slf4j/");
    /** Class-name prefixes taken from the host when it has them, else from the agent (OpenTelemetry's API). */
    static final List<String> HOST_FIRST_PACKAGES = List.of("io.opentelemetry.api.", "io.opentelemetry.context.");

    private final ClassLoader host;
    private final Path jar;

    /**
     * @param jar the agent jar
     * @param host the loader that provides the shared packages (lk-worker's own)
     */
    public AgentClassLoader(Path jar, ClassLoader host) throws MalformedURLException {
        super("agent:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        this.host = host;
        this.jar = jar;
    }

    public Path jar() {
        return jar;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return host.loadClass(name);
        }
        if (isHostFirst(name)) {
            try {
                return host.loadClass(name);
            } catch (ClassNotFoundException notInHost) {
                return super.loadClass(name, resolve);
            }
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        return isSharedResource(name) ? host.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return isSharedResource(name) ? host.getResources(name) : super.getResources(name);
    }

    static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    static boolean isHostFirst(String className) {
        for (String prefix : HOST_FIRST_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSharedResource(String name) {
        String path = name.startsWith("/") ? name.substring(1) : name;
        for (String prefix : SHARED_RESOURCES) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
