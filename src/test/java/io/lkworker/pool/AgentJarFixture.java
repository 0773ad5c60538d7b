package io.lkworker.pool;

import io.lkworker.pool.agents.TestAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds small agent jars at test time from compiled test classes: every class in the agent's own
 * package (in target/test-classes) plus a service file naming the agent, optionally with extra library
 * jars (copied to {@code lib/} next to the agent jar and listed in the manifest Class-Path). The pool
 * tests and the benchmarks both use it.
 */
public final class AgentJarFixture {

    private AgentJarFixture() {
    }

    public static Path build(Path dir, Class<?> agentClass, Path... libs) throws IOException {
        Path classes = testClassesDir();
        Files.createDirectories(dir);
        Path jar = dir.resolve(agentClass.getSimpleName() + ".jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (libs.length > 0) {
            Path libDir = Files.createDirectories(dir.resolve("lib"));
            StringBuilder cp = new StringBuilder();
            for (Path lib : libs) {
                Files.copy(lib, libDir.resolve(lib.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                cp.append(cp.length() == 0 ? "" : " ").append("lib/").append(lib.getFileName());
            }
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString());
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            List<Path> files;
            String packageDir = agentClass.getPackageName().replace('.', '/');
            try (Stream<Path> walk = Files.walk(classes.resolve(packageDir))) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                jarOut.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jarOut);
                jarOut.closeEntry();
            }
            jarOut.putNextEntry(new JarEntry("META-INF/services/io.lkworker.api.Agent"));
            jarOut.write((agentClass.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        return jar;
    }

    public static Path testClassesDir() {
        try {
            return Path.of(TestAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The older Gson and protobuf jars that maven-dependency-plugin copies to target/agent-libs. */
    public static Path agentLib(String fileName) {
        String dir = System.getProperty("lkworker.agent.libs",
                testClassesDir().resolveSibling("agent-libs").toString());
        return Path.of(dir, fileName);
    }
}
