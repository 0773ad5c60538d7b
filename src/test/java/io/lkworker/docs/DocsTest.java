package io.lkworker.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.cli.CliContext;
import io.lkworker.cli.LkWorkerCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 19: the documentation's links and the lk-worker options it names are checked against the tree.
 *
 * <p>Files checked: {@code README.md}, {@code docs/**}{@code /*.md}, {@code examples/**}{@code /*.md},
 * {@code benchmarks/*.md}.
 *
 * <p><b>Links.</b> Every inline link {@code [text](target)} and reference definition {@code [id]: target}
 * outside code (fenced blocks and code spans) whose target has no URL scheme is relative: its path,
 * resolved against the file's directory, must exist; its {@code #anchor}, if any (also a same-file
 * {@code (#anchor)}), must be the GitHub anchor of a heading of the target Markdown file. GitHub's
 * rule: the heading's text (code spans, links and HTML unwrapped) lower-cased, every character that is
 * not a letter, digit, space, {@code -} or {@code _} removed, each space turned into {@code -}; a
 * repeated anchor gets {@code -1}, {@code -2}, ...
 *
 * <p><b>Options.</b> A long option ({@code --name}, {@code --[no-]name} as both forms) or a one-letter
 * option ({@code -h}) is checked in two contexts, and must be an option of the picocli command tree:
 * <ol>
 * <li>an lk-worker invocation, in a fenced block (continued over lines ending in {@code \}) or in a
 *     code span, in every checked file: the word {@code lk-worker} (possibly after a path such as
 *     {@code bin/} or {@code /usr/bin/}, possibly with an image tag {@code :TAG}) followed by a
 *     subcommand name, {@code COMMAND}, or {@code --help}/{@code --version}/{@code -h}/{@code -V}. The
 *     options after it, up to a shell separator ({@code |}, {@code &&}, {@code ;}, {@code )}) or a
 *     {@code #} comment, must be options of that subcommand (of any command for {@code COMMAND});
 *     options before it belong to another program ({@code docker exec -it lkw lk-worker status});</li>
 * <li>a code span outside fenced blocks that begins with a long option ({@code `--drain-timeout`},
 *     {@code `--pid N`}, the option tables of the configuration reference), in {@code README.md} and
 *     {@code docs/}, unless its line names another program (docker, kubectl, mvn, ...: e.g.
 *     {@code (`--stop-timeout`, `docker stop -t`)}); such spans must name an option of some
 *     command. {@code examples/} and {@code benchmarks/} are not held to this rule: they describe
 *     programs of their own (the benchmarks' {@code --rounds}).</li>
 * </ol>
 * Options of other programs ({@code mvn -D...}, {@code docker}, {@code java}, {@code kubectl}, ...) are
 * therefore never checked. Failures name the file and line.
 */
class DocsTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();


    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern INLINE_LINK = Pattern.compile("\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_DEF = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(=+|-+)\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");

    private static final List<String> SUBCOMMANDS = List.of("start", "dev", "drain", "status", "dispatch", "talk",
            "console", "server", "version", "help");
    /** {@code lk-worker}, after an optional path, with an optional image tag, then what makes it an invocation. */
    private static final Pattern INVOCATION = Pattern.compile("(?<![\\w.-])(?:[\\w.~/-]*/)?lk-worker(?::[\\w.-]+)?[ \\t]+("
            + String.join("|", SUBCOMMANDS) + "|COMMAND|--help|--version|-h|-V)(?=$|[\\s\\]|)`])");
    /** Where an lk-worker command line ends: a shell separator or a comment ({@code \|} is an alternative). */
    private static final Pattern END_OF_COMMAND = Pattern.compile("(?<!\\\\)\\||&&|;|\\)|(?:^|\\s)#");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--(?:\\[no-\\])?[a-z][a-z0-9-]*|-[A-Za-z])(?![\\w-])");
    private static final Pattern LEADING_OPTION = Pattern.compile("^(--(?:\\[no-\\])?[a-z][a-z0-9-]*)(?![\\w-])");
    private static final Pattern OTHER_PROGRAM = Pattern.compile(
            "\\b(docker|kubectl|mvn|java|javac|npm|npx|node|curl|systemctl|journalctl|apt|apt-get|dpkg|chromium|helm)\\b");

    record Line(Path file, int number, String text, boolean fenced) {
        String where() {
            return BASE.relativize(file) + ":" + number;
        }
    }

    // ------------------------------------------------------------------ links

    @Test
    void everyRelativeLinkResolvesAndEveryAnchorNamesAHeading() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Path file : docs()) {
            for (Line line : lines(file)) {
                if (line.fenced()) {
                    continue;
                }
                for (String target : linkTargets(line.text())) {
                    checked++;
                    String problem = checkLink(file, target);
                    if (problem != null) {
                        failures.add(line.where() + ": link (" + target + "): " + problem);
                    }
                }
            }
        }
        assertThat(checked).as("relative links found (is the scan working?)").isGreaterThan(40);
        assertThat(failures).as("broken links in the documentation").isEmpty();
    }

    /**
     * The anchors of README.md's headings before issue 19 moved its reference into docs/: links to
     * them (in other repositories, issues, bookmarks) must still land on a heading, which for a
     * section that moved is a one-line link onward.
     */
    private static final List<String> README_ANCHORS_BEFORE_ISSUE_19 = List.of("lk-worker", "quick-start",
            "build-and-test", "running-against-a-livekit-server", "commands", "configuration", "writing-an-agent",
            "the-agents-own-libraries", "rooms", "rooms-on-lk-worker-dev", "operations", "health-and-metrics",
            "capacity-load-threshold-and-max-jobs", "draining-during-deploys", "systemd", "container-image",
            "kubernetes", "logs", "guarantees", "performance", "design");

    @Test
    void everyAnchorTheReadmeEverHadStillLeadsSomewhere() {
        assertThat(anchors(BASE.resolve("README.md"))).containsAll(README_ANCHORS_BEFORE_ISSUE_19);
    }

    /** The README's test command (the first command of "Build and test") is the one CI runs. */
    @Test
    void theReadmesTestCommandIsWhatCiRuns() throws IOException {
        String readme = Files.readString(BASE.resolve("README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Build and test\n");
        assertThat(section).as("README section 'Build and test'").isPositive();
        Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find(section)).as("a sh block in 'Build and test'").isTrue();
        String readmeCommand = block.group(1).lines().findFirst().orElse("").replaceFirst("\\s*#.*$", "").trim();
        List<String> ci = Files.readAllLines(BASE.resolve(".ci/run"), StandardCharsets.UTF_8).stream()
                .map(String::trim).filter(l -> l.startsWith("mvn ") && l.endsWith(" verify")).toList();
        assertThat(ci).as(".ci/run's verify command").containsExactly(readmeCommand);
    }

    /** The README shows design.md's picture of the processes and threads, the same text. */
    @Test
    void theReadmeShowsDesignsPicture() throws IOException {
        Pattern mermaid = Pattern.compile("```mermaid\n(.*?)```", Pattern.DOTALL);
        Matcher design = mermaid.matcher(Files.readString(BASE.resolve("docs/design.md"), StandardCharsets.UTF_8));
        Matcher readme = mermaid.matcher(Files.readString(BASE.resolve("README.md"), StandardCharsets.UTF_8));
        assertThat(design.find()).as("a mermaid diagram in docs/design.md").isTrue();
        assertThat(readme.find()).as("a mermaid diagram in README.md").isTrue();
        assertThat(readme.group(1)).isEqualTo(design.group(1));
    }

    /** null when the link is fine, else what is wrong with it. */
    private static String checkLink(Path from, String target) {
        if (target.isEmpty() || SCHEME.matcher(target).find() || target.startsWith("//")) {
            return null; // absolute URL (http:, https:, mailto:): not ours to check
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
        int query = pathPart.indexOf('?');
        if (query >= 0) {
            pathPart = pathPart.substring(0, query);
        }
        Path resolved = pathPart.isEmpty() ? from
                : from.getParent().resolve(URLDecoder.decode(pathPart, StandardCharsets.UTF_8)).normalize();
        if (!resolved.startsWith(BASE)) {
            return "points outside the repository";
        }
        String relative = BASE.relativize(resolved).toString().replace('\\', '/');
        if (!Files.exists(resolved)) {
            return "no such file " + relative;
        }
        if (anchor == null || anchor.isEmpty()) {
            return null;
        }
        if (!resolved.toString().endsWith(".md")) {
            return null; // GitHub's line anchors (#L10) and the like in other files
        }
        Set<String> anchors = anchors(resolved);
        return anchors.contains(anchor) ? null : "no heading with anchor #" + anchor + " in " + relative;
    }

    static List<String> linkTargets(String text) {
        String prose = CODE_SPAN.matcher(text).replaceAll("");
        List<String> targets = new ArrayList<>();
        Matcher inline = INLINE_LINK.matcher(prose);
        while (inline.find()) {
            targets.add(inline.group(1));
        }
        Matcher def = REFERENCE_DEF.matcher(prose);
        if (def.matches()) {
            targets.add(def.group(1));
        }
        return targets;
    }

    /** The GitHub anchors of a Markdown file's headings (and explicit {@code <a name>}/{@code id}). */
    static Set<String> anchors(Path file) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        List<Line> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.fenced()) {
                continue;
            }
            String heading = null;
            Matcher atx = ATX_HEADING.matcher(line.text());
            if (atx.matches()) {
                heading = atx.group(2);
            } else if (i + 1 < lines.size() && !lines.get(i + 1).fenced()
                    && SETEXT_UNDERLINE.matcher(lines.get(i + 1).text()).matches() && !line.text().isBlank()
                    && !line.text().trim().startsWith("|") && !line.text().trim().startsWith("-")
                    && !line.text().trim().startsWith("*")) {
                heading = line.text().trim();
            }
            if (heading != null) {
                String slug = slug(heading);
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
            Matcher html = HTML_ANCHOR.matcher(line.text());
            while (html.find()) {
                anchors.add(html.group(1));
            }
        }
        return anchors;
    }

    /** GitHub's anchor for a heading's Markdown text. */
    static String slug(String heading) {
        String text = heading;
        text = text.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // links and images: their text
        text = text.replaceAll("<[^>]+>", "");                       // HTML tags
        text = text.replace("`", "");
        text = text.toLowerCase(java.util.Locale.ROOT);
        text = text.replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "");
        return text.replace(' ', '-');
    }

    @Test
    void anchorsFollowGitHubsRules() {
        assertThat(slug("Capacity: load threshold and max jobs")).isEqualTo("capacity-load-threshold-and-max-jobs");
        assertThat(slug("Rooms on `lk-worker dev`")).isEqualTo("rooms-on-lk-worker-dev");
        assertThat(slug("The agent's own libraries")).isEqualTo("the-agents-own-libraries");
        assertThat(slug("7. Rooms: the client and the WebRTC stack")).isEqualTo("7-rooms-the-client-and-the-webrtc-stack");
        assertThat(slug("WorkerBenchmark: the real daemon → `results.md`")).isEqualTo("workerbenchmark-the-real-daemon--resultsmd");
        assertThat(slug("`lk_worker` [link](x.md) options")).isEqualTo("lk_worker-link-options");
        assertThat(linkTargets("see [a](docs/a.md#x) and `[b](not-a-link.md)` and [c](https://x.y/z)"))
                .containsExactly("docs/a.md#x", "https://x.y/z");
    }

    // ---------------------------------------------------------------- options

    @Test
    void everyLkWorkerOptionTheDocsNameExists() {
        CommandLine root = LkWorkerCommand.newCommandLine(new CliContext(Map.of(), null, (c, a) -> 0));
        Map<String, Set<String>> byCommand = optionsByCommand(root);
        Set<String> any = new TreeSet<>();
        byCommand.values().forEach(any::addAll);

        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Path file : docs()) {
            boolean prose = isProseChecked(file);
            for (Mention mention : mentions(lines(file), prose)) {
                checked++;
                Set<String> allowed = mention.command() == null ? any : byCommand.get(mention.command());
                for (String option : expand(mention.option())) {
                    if (!allowed.contains(option)) {
                        failures.add(mention.line().where() + ": " + option + " is not an option of "
                                + (mention.command() == null ? "any lk-worker command"
                                        : ("lk-worker " + mention.command()).trim())
                                + " (in: " + mention.line().text().trim() + ")");
                    }
                }
            }
        }
        assertThat(checked).as("option mentions found (is the scan working?)").isGreaterThan(100);
        assertThat(failures).as("options in the documentation that lk-worker does not have").isEmpty();
    }

    @Test
    void theOptionRuleTellsLkWorkerFromOtherPrograms() {
        List<Line> lines = List.of(
                new Line(BASE.resolve("x.md"), 1, "docker exec -it lkw lk-worker status --health-url U   # -x", true),
                new Line(BASE.resolve("x.md"), 2, "journalctl -u lk-worker -f", true),
                new Line(BASE.resolve("x.md"), 3, "mvn -B test -Dtest=X && bin/lk-worker dev --agent a.jar | tee --append", true),
                new Line(BASE.resolve("x.md"), 4, "docker run --rm -v x:/agent lk-worker:0.1.0 start --agent /a.jar \\", true),
                new Line(BASE.resolve("x.md"), 5, "    --drain-timeout 600s", true),
                new Line(BASE.resolve("x.md"), 6, "`lk-worker talk [--tone HZ \\| --wav FILE]`, `--[no-]hidden`, `--stop-timeout` of `docker`", false),
                new Line(BASE.resolve("x.md"), 7, "the `--[no-]hidden` flag, `lk-worker-VERSION.tar.gz --x`", false));
        List<String> found = mentions(lines, true).stream()
                .map(m -> m.line().number() + ":" + m.command() + ":" + m.option()).toList();
        assertThat(found).containsExactly("1:status:--health-url", "3:dev:--agent", "4:start:--agent",
                "5:start:--drain-timeout", "6:talk:--tone", "6:talk:--wav", "7:null:--[no-]hidden");
        assertThat(expand("--[no-]hidden")).containsExactly("--hidden", "--no-hidden");
    }

    record Mention(Line line, String command, String option) {}

    /** Every option mention the two rules select; {@code command} null means "some command". */
    static List<Mention> mentions(List<Line> lines, boolean proseChecked) {
        List<Mention> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.fenced()) {
                // rule 1 in a fenced block: the line, continued over lines ending with a backslash
                StringBuilder joined = new StringBuilder(line.text());
                List<Line> parts = new ArrayList<>(List.of(line));
                while (joined.toString().stripTrailing().endsWith("\\") && i + 1 < lines.size() && lines.get(i + 1).fenced()) {
                    i++;
                    parts.add(lines.get(i));
                    joined.append('\n').append(lines.get(i).text());
                }
                for (String[] found : invocationOptions(joined.toString())) {
                    out.add(new Mention(lineOf(parts, joined.toString(), Integer.parseInt(found[2])), found[0], found[1]));
                }
                continue;
            }
            Matcher span = CODE_SPAN.matcher(line.text());
            boolean otherProgram = OTHER_PROGRAM.matcher(line.text()).find();
            while (span.find()) {
                String code = span.group(2).trim();
                List<String[]> invoked = invocationOptions(code);
                if (INVOCATION.matcher(code).find()) {
                    for (String[] found : invoked) {
                        out.add(new Mention(line, found[0], found[1]));
                    }
                } else if (proseChecked && !otherProgram) {
                    Matcher leading = LEADING_OPTION.matcher(code);
                    if (leading.find()) {
                        out.add(new Mention(line, null, leading.group(1)));
                    }
                }
            }
        }
        return out;
    }

    /** For each lk-worker invocation in {@code text}: {command or null, option, offset}. */
    private static List<String[]> invocationOptions(String text) {
        List<String[]> out = new ArrayList<>();
        Matcher invocation = INVOCATION.matcher(text);
        int from = 0;
        while (from < text.length() && invocation.find(from)) {
            String word = invocation.group(1);
            // a subcommand's own options; "" the root's (lk-worker --help); null any command's (COMMAND)
            String command = SUBCOMMANDS.contains(word) ? word : word.equals("COMMAND") ? null : "";
            int start = word.startsWith("-") ? invocation.start(1) : invocation.end(1);
            Matcher end = END_OF_COMMAND.matcher(text);
            int stop = end.find(start) ? end.start() : text.length();
            Matcher option = OPTION.matcher(text.substring(start, stop));
            while (option.find()) {
                out.add(new String[] {command, option.group(1), Integer.toString(start + option.start())});
            }
            from = Math.max(stop, invocation.end());
        }
        return out;
    }

    private static Line lineOf(List<Line> parts, String joined, int offset) {
        int newlines = (int) joined.substring(0, offset).chars().filter(c -> c == '\n').count();
        return parts.get(newlines);
    }

    static List<String> expand(String option) {
        if (option.startsWith("--[no-]")) {
            String name = option.substring("--[no-]".length());
            return List.of("--" + name, "--no-" + name);
        }
        return List.of(option);
    }

    /** Option names of the root and of every subcommand (recursively), negated forms included. */
    private static Map<String, Set<String>> optionsByCommand(CommandLine root) {
        Map<String, Set<String>> out = new HashMap<>();
        Set<String> rootOptions = names(root);
        for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
            Set<String> options = new TreeSet<>(names(sub.getValue()));
            collect(sub.getValue(), options);
            out.put(sub.getKey(), options);
        }
        out.put("", rootOptions);
        return out;
    }

    private static void collect(CommandLine command, Set<String> into) {
        for (CommandLine sub : command.getSubcommands().values()) {
            into.addAll(names(sub));
            collect(sub, into);
        }
    }

    private static Set<String> names(CommandLine command) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec option : command.getCommandSpec().options()) {
            for (String name : option.names()) {
                names.add(name);
                if (option.negatable() && name.startsWith("--")) {
                    names.add(name.startsWith("--no-") ? "--" + name.substring(5) : "--no-" + name.substring(2));
                }
            }
        }
        return names;
    }

    // ------------------------------------------------------------------ files

    private static boolean isProseChecked(Path file) {
        Path relative = BASE.relativize(file);
        return relative.toString().equals("README.md") || relative.startsWith("docs");
    }

    static List<Path> docs() {
        List<Path> files = new ArrayList<>();
        files.add(BASE.resolve("README.md"));
        files.addAll(markdownUnder("docs", Integer.MAX_VALUE));
        files.addAll(markdownUnder("examples", Integer.MAX_VALUE));
        files.addAll(markdownUnder("benchmarks", 1));
        return files;
    }

    private static List<Path> markdownUnder(String dir, int depth) {
        Path root = BASE.resolve(dir);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root, depth)) {
            return walk.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p))
                    .filter(p -> !BASE.relativize(p).toString().contains("node_modules")
                            && !BASE.relativize(p).toString().contains("/target/"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's lines, each marked as inside a fenced code block (fence lines included) or not. */
    static List<Line> lines(Path file) {
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Line> out = new ArrayList<>();
        String fence = null;
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i);
            Matcher m = FENCE.matcher(line);
            if (fence == null && m.find()) {
                fence = m.group(1);
                out.add(new Line(file, i + 1, "", true));
            } else if (fence != null && line.trim().startsWith(fence)) {
                fence = null;
                out.add(new Line(file, i + 1, "", true));
            } else {
                out.add(new Line(file, i + 1, line, fence != null));
            }
        }
        return out;
    }
}
