package io.lkworker.runner;

import io.lkworker.api.Agent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Finds and instantiates the {@link Agent} in an agent jar, in its own {@link AgentClassLoader}.
 *
 * <p>The class is the one named explicitly ({@code --agent-class}), else the single entry of the
 * jar's {@code META-INF/services/io.lkworker.api.Agent}. Every way this can go wrong ends in an
 * {@link AgentLoadException} with a one-line message; the daemon calls this before it connects,
 * and each child JVM calls it again for itself.
 */
public final class AgentLoader {

    public static final String SERVICE_FILE = "META-INF/services/" + Agent.class.getName();

    private AgentLoader() {
    }

    /** Loads the agent with lk-worker's own class loader providing the shared API and SLF4J. */
    public static LoadedAgent load(Path jar, String agentClassOrNull) throws AgentLoadException {
        return load(jar, agentClassOrNull, AgentLoader.class.getClassLoader());
    }

    /**
     * @param jar the agent jar
     * @param agentClassOrNull the class to use, or null to take the one the service file lists
     * @param host the loader that provides {@code io.lkworker.api} and {@code org.slf4j}
     */
    public static LoadedAgent load(Path jar, String agentClassOrNull, ClassLoader host) throws AgentLoadException {
        Path file = jar.toAbsolutePath().normalize();
        checkJar(file);
        AgentClassLoader loader;
        try {
            loader = new AgentClassLoader(file, host);
        } catch (IOException e) {
            throw new AgentLoadException("agent jar cannot be opened: " + file + ": " + oneLine(e));
        }
        try {
            String className = agentClassOrNull != null ? agentClassOrNull : listedAgent(loader, file);
            Agent agent = instantiate(loader, className, file);
            return new LoadedAgent(agent, className, loader, file);
        } catch (AgentLoadException | RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        }
    }

    /** The file exists, is a readable regular file, and is a zip archive. */
    static void checkJar(Path jar) throws AgentLoadException {
        if (!Files.exists(jar)) {
            throw new AgentLoadException("agent jar not found: " + jar);
        }
        if (Files.isDirectory(jar)) {
            throw new AgentLoadException("agent jar is a directory, not a jar file: " + jar);
        }
        if (!Files.isReadable(jar)) {
            throw new AgentLoadException("agent jar is not readable (check its permissions): " + jar);
        }
        try (ZipFile ignored = new ZipFile(jar.toFile())) {
            // opening it is the check
        } catch (ZipException e) {
            throw new AgentLoadException("agent jar is not a jar (zip) file: " + jar);
        } catch (IOException e) {
            throw new AgentLoadException("agent jar cannot be read: " + jar + ": " + oneLine(e));
        }
    }

    /** The agent classes the jar lists (in its own service files, not the host's), in order, without duplicates. */
    public static List<String> listedAgents(AgentClassLoader loader) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        Enumeration<URL> files = loader.findResources(SERVICE_FILE);
        while (files.hasMoreElements()) {
            URLConnection connection = files.nextElement().openConnection();
            // Uncached, so the jar file is not held open after the loader is closed (dev reloads it).
            connection.setUseCaches(false);
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    int comment = line.indexOf('#');
                    String name = (comment >= 0 ? line.substring(0, comment) : line).trim();
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            }
        }
        return new ArrayList<>(names);
    }

    private static String listedAgent(AgentClassLoader loader, Path jar) throws AgentLoadException {
        List<String> names;
        try {
            names = listedAgents(loader);
        } catch (IOException e) {
            throw new AgentLoadException("cannot read " + SERVICE_FILE + " in " + jar + ": " + oneLine(e));
        }
        if (names.isEmpty()) {
            throw new AgentLoadException("no agent found in " + jar + ": add " + SERVICE_FILE
                    + " naming your Agent class, or pass --agent-class");
        }
        if (names.size() > 1) {
            throw new AgentLoadException(jar + " lists several agents (" + String.join(", ", names)
                    + "): choose one with --agent-class");
        }
        return names.get(0);
    }

    private static Agent instantiate(AgentClassLoader loader, String name, Path jar) throws AgentLoadException {
        Class<?> type;
        try {
            type = Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw new AgentLoadException("agent class " + name + " not found in " + jar);
        } catch (UnsupportedClassVersionError e) {
            throw new AgentLoadException("agent class " + name + " was compiled for a newer Java than this one ("
                    + Runtime.version().feature() + "): " + oneLine(e));
        } catch (LinkageError e) {
            throw new AgentLoadException("agent class " + name + " cannot be loaded: " + oneLine(e));
        }
        if (!Agent.class.isAssignableFrom(type)) {
            throw new AgentLoadException("agent class " + name + " does not implement " + Agent.class.getName());
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new AgentLoadException("agent class " + name + " is abstract: name a concrete class");
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new AgentLoadException("agent class " + name + " is not public");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new AgentLoadException("agent class " + name + " has no public no-argument constructor");
        }
        // Libraries an agent bundles often find their resources through the context loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return (Agent) constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new AgentLoadException("the constructor of agent class " + name + " threw "
                    + oneLine(e.getCause()), e.getCause());
        } catch (ExceptionInInitializerError e) {
            throw new AgentLoadException("static initialisation of agent class " + name + " failed: "
                    + oneLine(e.getCause() != null ? e.getCause() : e), e);
        } catch (LinkageError e) {
            throw new AgentLoadException("agent class " + name + " cannot be loaded: " + oneLine(e), e);
        } catch (ReflectiveOperationException e) {
            throw new AgentLoadException("agent class " + name + " cannot be instantiated: " + oneLine(e), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** "java.lang.IllegalStateException: first line of the message". */
    static String oneLine(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getName();
        }
        int newline = message.indexOf('\n');
        return t.getClass().getName() + ": " + (newline >= 0 ? message.substring(0, newline).stripTrailing() : message);
    }

    private static void closeQuietly(AgentClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing to do: the loader is being discarded after a failure already reported
        }
    }
}
