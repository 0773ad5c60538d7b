package io.lkworker.runner;

import io.lkworker.api.Agent;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An agent instance and where it came from. Closing it closes its class loader (when it is one
 * that can be closed); do that only once nothing runs agent code any more.
 *
 * @param agent the instance, created with its public no-argument constructor
 * @param className its class name
 * @param loader the {@link AgentClassLoader} it was loaded in
 * @param jar the agent jar
 */
public record LoadedAgent(Agent agent, String className, ClassLoader loader, Path jar) implements AutoCloseable {

    @Override
    public void close() throws IOException {
        if (loader instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }
}
