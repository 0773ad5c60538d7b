package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.testing.TestJars;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** README "Writing an agent": the coordinates are the build's, the sample compiles as printed and runs. */
class ReadmeAgentSampleTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", "."));

    @TempDir
    Path tmp;

    private static String section() throws Exception {
        String readme = Files.readString(BASE.resolve("README.md"));
        int start = readme.indexOf("\n## Writing an agent\n");
        assertThat(start).isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> blocks(String text, String language) {
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static Element xml(String fragment) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(("<root>" + fragment + "</root>").getBytes()));
        return doc.getDocumentElement();
    }

    private static String child(Element parent, String name) {
        NodeList list = parent.getElementsByTagName(name);
        return list.getLength() == 0 ? null : list.item(0).getTextContent().trim();
    }

    @Test
    void theApiCoordinatesAreWhatTheBuildProduces() throws Exception {
        Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(BASE.resolve("pom.xml").toFile()).getDocumentElement();
        String version = ((Element) pom.getElementsByTagName("version").item(0)).getTextContent().trim();
        Element readme = xml(blocks(section(), "xml").get(0));
        Element api = (Element) readme.getElementsByTagName("dependency").item(0);

        assertThat(child(api, "groupId")).isEqualTo(child(pom, "groupId"));
        assertThat(child(api, "artifactId")).isEqualTo(child(pom, "artifactId"));
        assertThat(child(api, "version")).isEqualTo(version);
        assertThat(child(api, "scope")).isEqualTo("provided");
        // the classifier of the build's API jar, and the sources and javadoc beside it
        String classifier = child(api, "classifier");
        List<String> classifiers = new ArrayList<>();
        NodeList all = pom.getElementsByTagName("classifier");
        for (int i = 0; i < all.getLength(); i++) {
            classifiers.add(all.item(i).getTextContent().trim());
        }
        assertThat(classifiers).contains(classifier, classifier + "-sources", classifier + "-javadoc");
        assertThat(section()).contains("`" + classifier + "-sources`", "`" + classifier + "-javadoc`");
    }

    @Test
    void theSampleCompilesAsPrintedAndLoadsAsAnAgent() throws Exception {
        String code = blocks(section(), "java").get(0);
        Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(code);
        Matcher cls = Pattern.compile("(?m)^public (?:final )?class (\\w+)").matcher(code);
        assertThat(pkg.find()).as("a package line").isTrue();
        assertThat(cls.find()).as("a public class").isTrue();
        String name = pkg.group(1) + "." + cls.group(1);

        Path jar = TestJars.builder().source(name, code).agentService(name).build(tmp.resolve("sample.jar"));

        try (LoadedAgent loaded = AgentLoader.load(jar, null)) {
            assertThat(loaded.className()).isEqualTo(name);
            Field log = loaded.agent().getClass().getDeclaredField("log");
            assertThat(Modifier.isStatic(log.getModifiers())).isTrue();
            assertThat(log.getType().getName()).isEqualTo("org.slf4j.Logger");
        }
    }
}
