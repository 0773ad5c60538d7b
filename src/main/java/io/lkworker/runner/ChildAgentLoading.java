package io.lkworker.runner;

import io.lkworker.api.Agent;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Loads the agent inside a child JVM, in a class loader of its own that sees the JDK, the agent jar
 * (and the jars its manifest {@code Class-Path} names) and, from the runner, only the agent API and
 * SLF4J. The agent may therefore bundle any protobuf, Gson, ... version without clashing with ours.
 *
 * <p>Private to the child; to be unified with the daemon's {@code AgentLoader}.
 */
final class ChildAgentLoading {

    private static final String[] SHARED_PREFIXES = {"io.lkworker.api.", "org.slf4j."};

    private ChildAgentLoading() {
    }

    record Loaded(Agent agent, ClassLoader loader) {
    }

    static Loaded load(Path jar, String agentClass) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("agent jar not found: " + jar);
        }
        IsolatedLoader loader = new IsolatedLoader(jar.toUri().toURL(), ChildAgentLoading.class.getClassLoader());
        if (agentClass != null && !agentClass.isBlank()) {
            Class<?> type = Class.forName(agentClass, true, loader);
            if (!Agent.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(agentClass + " does not implement " + Agent.class.getName());
            }
            return new Loaded((Agent) type.getConstructor().newInstance(), loader);
        }
        List<Agent> found = new ArrayList<>();
        try {
            Iterator<Agent> it = ServiceLoader.load(Agent.class, loader).iterator();
            while (it.hasNext()) {
                found.add(it.next());
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot instantiate the agent listed in " + jar + ": " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no agent in " + jar + ": add META-INF/services/" + Agent.class.getName()
                    + " or pass the agent class");
        }
        if (found.size() > 1) {
            throw new IllegalStateException(jar + " lists " + found.size() + " agents; pass the agent class to choose one");
        }
        return new Loaded(found.get(0), loader);
    }

    /** Child-first for everything but the shared API; parent = the platform loader (JDK only). */
    static final class IsolatedLoader extends URLClassLoader {
        static {
            ClassLoader.registerAsParallelCapable();
        }

        private final ClassLoader runner;

        IsolatedLoader(URL jar, ClassLoader runner) {
            super("agent", new URL[] {jar}, ClassLoader.getPlatformClassLoader());
            this.runner = runner;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String prefix : SHARED_PREFIXES) {
                if (name.startsWith(prefix)) {
                    return runner.loadClass(name);
                }
            }
            return super.loadClass(name, resolve);
        }
    }
}
