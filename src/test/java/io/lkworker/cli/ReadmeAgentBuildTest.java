package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Issue 20, item 9: the build settings the README's "Writing an agent" shows must be enough for a
 * pom.xml of one's own — the compiler release included, since Maven 3.8's default compiler settings
 * ({@code -source 5}) fail on JDK 17 — and agree with {@code examples/hello-agent/pom.xml}, the
 * template it points at, which quickstart builds.
 */
class ReadmeAgentBuildTest {

    private static final Path README = Path.of("README.md");
    private static final Path TEMPLATE = Path.of("examples/hello-agent/pom.xml");

    /** The first xml block under "## Writing an agent", wrapped into a pom. */
    private static Document readmeSnippet() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Writing an agent\n");
        assertThat(section).as("README section 'Writing an agent'").isPositive();
        Matcher m = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find(section)).as("an xml block in 'Writing an agent'").isTrue();
        return parse("<project>" + m.group(1) + "</project>");
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    /** groupId:artifactId:classifier:scope of each dependency. */
    private static List<String> dependencies(Document pom) {
        List<String> out = new ArrayList<>();
        NodeList deps = pom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            out.add(text(d, "groupId") + ":" + text(d, "artifactId") + ":" + text(d, "classifier") + ":"
                    + text(d, "scope"));
        }
        return out;
    }

    @Test
    void theSnippetSetsTheCompilerReleaseAndMatchesTheTemplate() throws Exception {
        Document snippet = readmeSnippet();
        Document template = parse(Files.readString(TEMPLATE, StandardCharsets.UTF_8));

        String release = text(snippet.getDocumentElement(), "maven.compiler.release");
        assertThat(release).as("maven.compiler.release in the README's snippet").isEqualTo("17");
        assertThat(release).isEqualTo(text(template.getDocumentElement(), "maven.compiler.release"));
        assertThat(snippet.getDocumentElement().getElementsByTagName("dependencies").getLength())
                .as("the dependencies inside <dependencies>, as a pom has them").isEqualTo(1);
        assertThat(dependencies(snippet)).isNotEmpty().containsExactlyElementsOf(dependencies(template));
        assertThat(Files.readString(README, StandardCharsets.UTF_8)).contains("`examples/hello-agent/pom.xml`");
    }
}
