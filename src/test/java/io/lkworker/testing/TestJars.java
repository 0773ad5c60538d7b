package io.lkworker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Builds small jars on the fly for tests: Java sources compiled (against the test class path, so
 * they can use {@code io.lkworker.api} and any test dependency) into a jar, with an optional
 * {@code META-INF/services/io.lkworker.api.Agent} file, extra resources, manifest attributes and the
 * entries of other jars bundled in (like a fat jar).
 *
 * <pre>{@code
 * Path jar = TestJars.builder()
 *         .source("demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"))
 *         .agentService("demo.EchoAgent")
 *         .build(tempDir.resolve("echo.jar"));
 * }</pre>
 */
public final class TestJars {

    public static final String AGENT_SERVICE_FILE = "META-INF/services/io.lkworker.api.Agent";

    private static final JavaCompiler COMPILER = ToolProvider.getSystemJavaCompiler();
    private static final StandardJavaFileManager FILES = COMPILER == null
            ? null : COMPILER.getStandardFileManager(null, null, StandardCharsets.UTF_8);

    private TestJars() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A jar with one agent class (given as full source) listed in the service file. */
    public static Path agentJar(Path jar, String className, String source) {
        return builder().source(className, source).agentService(className).build(jar);
    }

    /** Source of a public agent class whose entrypoint returns at once. */
    public static String simpleAgent(String className) {
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : "package " + className.substring(0, dot) + ";\n";
        String simple = className.substring(dot + 1);
        return pkg + "public class " + simple + " implements io.lkworker.api.Agent {\n"
                + "    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {}\n"
                + "}\n";
    }

    /** The jar (or classes directory) a class was loaded from, e.g. {@code jarOf(Gson.class)}. */
    public static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The class path of this JVM (Surefire puts the full test class path in java.class.path). */
    public static String currentClassPath() {
        return System.getProperty("java.class.path");
    }

    public static final class Builder {
        private final Map<String, String> sources = new LinkedHashMap<>();
        private final List<String> agentServices = new ArrayList<>();
        private final Map<String, byte[]> resources = new LinkedHashMap<>();
        private final List<Path> bundled = new ArrayList<>();
        private final Map<String, String> manifest = new LinkedHashMap<>();
        private String classPath = currentClassPath();

        private Builder() {
        }

        /** A class to compile, by fully qualified name. */
        public Builder source(String className, String code) {
            sources.put(className, code);
            return this;
        }

        /** Lines of META-INF/services/io.lkworker.api.Agent (the file is written only if this is called). */
        public Builder agentService(String... classNames) {
            agentServices.addAll(List.of(classNames));
            if (classNames.length == 0) {
                agentServices.add("# no agents");
            }
            return this;
        }

        public Builder resource(String path, String content) {
            resources.put(path, content.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        public Builder resource(String path, byte[] content) {
            resources.put(path, content.clone());
            return this;
        }

        /** Copies every entry of another jar (or classes directory) into this one, except its manifest. */
        public Builder bundle(Path jarOrDirectory) {
            bundled.add(jarOrDirectory);
            return this;
        }

        /** A main-section manifest attribute, e.g. {@code Class-Path}. */
        public Builder manifestAttribute(String name, String value) {
            manifest.put(name, value);
            return this;
        }

        /** The class path to compile against (default: this JVM's). */
        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        /** Compiles and writes the jar; returns {@code jar}. Compilation errors fail with javac's diagnostics. */
        public Path build(Path jar) {
            try {
                Path classes = Files.createTempDirectory("testjars-classes");
                try {
                    compile(classes);
                    writeJar(jar, classes);
                } finally {
                    deleteTree(classes);
                }
                return jar;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void compile(Path out) throws IOException {
            if (sources.isEmpty()) {
                return;
            }
            if (COMPILER == null) {
                throw new IllegalStateException("no Java compiler: run the tests on a JDK, not a JRE");
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            List<JavaFileObject> units = new ArrayList<>();
            sources.forEach((name, code) -> units.add(new StringSource(name, code)));
            List<String> options = List.of("-classpath", classPath, "-proc:none", "-nowarn", "--release", "17");
            Boolean ok;
            // One shared file manager: it caches the opened class-path jars, which makes the
            // second and later compilations several times faster.
            synchronized (COMPILER) {
                FILES.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(out));
                ok = COMPILER.getTask(null, FILES, diagnostics, options, null, units).call();
            }
            if (!ok) {
                StringBuilder report = new StringBuilder("test sources do not compile:");
                diagnostics.getDiagnostics().forEach(d -> report.append('\n').append(d));
                throw new IllegalStateException(report.toString());
            }
        }

        private void writeJar(Path jar, Path classes) throws IOException {
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.forEach((name, value) -> mf.getMainAttributes().put(new Attributes.Name(name), value));
            Set<String> written = new HashSet<>();
            if (jar.getParent() != null) {
                Files.createDirectories(jar.getParent());
            }
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
                written.add("META-INF/");
                written.add("META-INF/MANIFEST.MF");
                copyTree(classes, out, written);
                if (!agentServices.isEmpty()) {
                    put(out, written, AGENT_SERVICE_FILE,
                            (String.join("\n", agentServices) + "\n").getBytes(StandardCharsets.UTF_8));
                }
                for (Map.Entry<String, byte[]> resource : resources.entrySet()) {
                    put(out, written, resource.getKey(), resource.getValue());
                }
                for (Path other : bundled) {
                    if (Files.isDirectory(other)) {
                        copyTree(other, out, written);
                    } else {
                        copyJar(other, out, written);
                    }
                }
            }
        }

        private static void copyTree(Path root, JarOutputStream out, Set<String> written) throws IOException {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
                    if (Files.isRegularFile(path)) {
                        put(out, written, root.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path));
                    }
                }
            }
        }

        private static void copyJar(Path jar, JarOutputStream out, Set<String> written) throws IOException {
            try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    String name = entry.getName();
                    boolean signature = name.startsWith("META-INF/") && name.matches("(?i)META-INF/[^/]+\\.(SF|RSA|DSA|EC)");
                    if (!entry.isDirectory() && !signature) {
                        put(out, written, name, in.readAllBytes());
                    }
                }
            }
        }

        /** Writes an entry (and its parent directories) unless one of that name is already there. */
        private static void put(JarOutputStream out, Set<String> written, String name, byte[] content) throws IOException {
            int slash = name.indexOf('/');
            while (slash >= 0) {
                String dir = name.substring(0, slash + 1);
                if (written.add(dir)) {
                    out.putNextEntry(new JarEntry(dir));
                    out.closeEntry();
                }
                slash = name.indexOf('/', slash + 1);
            }
            if (written.add(name)) {
                out.putNextEntry(new JarEntry(name));
                out.write(content);
                out.closeEntry();
            }
        }
    }

    private static final class StringSource extends SimpleJavaFileObject {
        private final String code;

        StringSource(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted((a, b) -> b.compareTo(a))::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
