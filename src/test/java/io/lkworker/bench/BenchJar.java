package io.lkworker.bench;

import io.lkworker.bench.agent.BenchAgent;
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

/** Packs the compiled bench agent (target/test-classes/io/lkworker/bench/agent) into an agent jar. */
final class BenchJar {

    private static final String AGENT_DIR = "io/lkworker/bench/agent/";

    private BenchJar() {
    }

    static Path build(Path dir) throws IOException {
        Path classes;
        try {
            classes = Path.of(BenchAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Files.createDirectories(dir);
        Path jar = dir.resolve("bench-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes.resolve(AGENT_DIR))) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                jarOut.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jarOut);
                jarOut.closeEntry();
            }
            jarOut.putNextEntry(new JarEntry("META-INF/services/io.lkworker.api.Agent"));
            jarOut.write((BenchAgent.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        return jar;
    }
}
