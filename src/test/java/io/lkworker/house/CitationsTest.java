package io.lkworker.house;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every document the tree cites is in the tree: a clone must be able to follow each reference.
 *
 * <p>Scanned: every UTF-8 text file under {@code src/}, {@code examples/}, {@code bin/},
 * {@code conf/}, {@code packaging/}, {@code .ci/} and {@code docs/}, and {@code README.md}
 * (directories named {@code target}, {@code node_modules} or {@code .git} are skipped, and so are
 * this file and {@code DocsTest}, whose samples of Markdown links name files on purpose). The rule, line by line:
 * <ol>
 *   <li>Any mention of the shared notes directory (a parent-relative {@code shared} path, or
 *       {@code shared} followed by {@code /reference}) fails: those notes are not in a clone.</li>
 *   <li>Every Markdown file name (a run of letters, digits, {@code _ . - /} ending in {@code .md},
 *       not followed by a letter, digit or {@code _}) must exist. It is ignored when it is part of a
 *       URL ({@code ://} before it in the same run of non-blank characters) or a glob (contains
 *       {@code *}). A name with a slash resolves against the repository root, then against the citing
 *       file's directory; if neither exists and its first segment is not a top-level entry of the
 *       repository, it is an upstream path named with its repository ({@code owner/repo/path}, at
 *       least three segments, e.g. {@code livekit/agents/README.md}) and is ignored. A bare name
 *       (no slash) must be the name of some file in the repository (outside the skipped
 *       directories), which admits prose such as "(results.md, perf2)" next to a path given elsewhere.</li>
 * </ol>
 * A failure names the file, the line and the reference.
 */
class CitationsTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final List<String> ROOTS = List.of("src", "examples", "bin", "conf", "packaging", ".ci", "docs",
            "README.md");
    private static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules", ".git");
    private static final Pattern MARKDOWN = Pattern.compile("[A-Za-z0-9_./-]*[A-Za-z0-9_-]\\.md(?![A-Za-z0-9_])");
    /** Built from pieces so that this file does not cite what it forbids. */
    private static final List<String> FORBIDDEN = List.of(".." + "/shared", "shared" + "/reference");
    private static final long MAX_BYTES = 2L * 1024 * 1024;

    @Test
    void everyCitedDocumentIsInTheTree() throws IOException {
        List<Path> files = scannedFiles();
        assertThat(files).as("files scanned under %s", BASE).isNotEmpty();
        Set<String> allNames = allFileNames();
        Set<String> topLevel;
        try (Stream<Path> entries = Files.list(BASE)) {
            topLevel = entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            String text = readText(file);
            if (text == null) {
                continue;
            }
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String where = BASE.relativize(file) + ":" + (i + 1) + ": ";
                for (String forbidden : FORBIDDEN) {
                    if (lines[i].contains(forbidden)) {
                        broken.add(where + forbidden + " (not in a clone)");
                    }
                }
                Matcher m = MARKDOWN.matcher(lines[i]);
                while (m.find()) {
                    String name = m.group();
                    if (!resolves(name, lines[i], m.start(), file, allNames, topLevel)) {
                        broken.add(where + name);
                    }
                }
            }
        }
        assertThat(broken).as("citations of documents that are not in the repository (see CitationsTest's rule)")
                .isEmpty();
    }

    @Test
    void theRuleOnExamples() {
        Path readme = BASE.resolve("README.md");
        Set<String> names = Set.of("README.md", "results.md");
        Set<String> top = Set.of("docs", "src", "README.md");
        assertThat(resolves("README.md", "see README.md", 4, readme, names, top)).isTrue();
        assertThat(resolves("results.md", "(results.md, perf2)", 1, readme, names, top)).isTrue();
        assertThat(resolves("protocol.md", "see protocol.md", 4, readme, names, top)).isFalse();
        assertThat(resolves("livekit/agents/README.md", "livekit/agents/README.md", 0, readme, names, top)).isTrue();
        assertThat(resolves("docs/nothing-here.md", "docs/nothing-here.md", 0, readme, names, top)).isFalse();
        assertThat(resolves("github.com/x/y/z.md", "https://github.com/x/y/z.md", 8, readme, names, top)).isTrue();
        assertThat(resolves("a/b.md", "a/b.md", 0, readme, names, top)).isFalse();
    }

    /** See the class comment for the rule. */
    private static boolean resolves(String name, String line, int start, Path citing, Set<String> allNames,
            Set<String> topLevel) {
        int runStart = start;
        while (runStart > 0 && !Character.isWhitespace(line.charAt(runStart - 1))) {
            runStart--;
        }
        String run = line.substring(runStart, start) + name;
        if (run.contains("://") || name.contains("*")) {
            return true;
        }
        if (!name.contains("/")) {
            return allNames.contains(name);
        }
        String path = name.startsWith("/") ? name.substring(1) : name;
        if (Files.isRegularFile(BASE.resolve(path)) || Files.isRegularFile(citing.getParent().resolve(path))) {
            return true;
        }
        String[] segments = path.split("/");
        String first = segments[0];
        return segments.length >= 3 && !first.equals(".") && !first.equals("..") && !topLevel.contains(first);
    }

    private static List<Path> scannedFiles() throws IOException {
        Path self = BASE.resolve(Path.of("src", "test", "java", "io", "lkworker", "house", "CitationsTest.java"));
        List<Path> files = new ArrayList<>();
        for (String root : ROOTS) {
            Path p = BASE.resolve(root);
            if (Files.isRegularFile(p)) {
                files.add(p);
            } else if (Files.isDirectory(p)) {
                files.addAll(walk(p));
            }
        }
        files.remove(self);
        files.remove(BASE.resolve(Path.of("src", "test", "java", "io", "lkworker", "docs", "DocsTest.java")));
        return files;
    }

    private static Set<String> allFileNames() throws IOException {
        return walk(BASE).stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }

    private static List<Path> walk(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> {
                        for (Path part : BASE.relativize(p)) {
                            if (SKIPPED_DIRS.contains(part.toString())) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted().toList();
        }
    }

    /** The file as UTF-8 text, or null when it is binary (not UTF-8, a NUL byte) or too large. */
    private static String readText(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
