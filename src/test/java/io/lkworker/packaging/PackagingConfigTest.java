package io.lkworker.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import io.lkworker.logging.BoundedAsyncAppender;
import io.lkworker.logging.JsonLineEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaging sources themselves (no build needed): unit, manifests, scripts, logging config. */
class PackagingConfigTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path UNIT = PROJECT.resolve("packaging/systemd/lk-worker.service");
    /** The drain timeout of `lk-worker start` (livekit/agents worker.py DRAIN_TIMEOUT: 3600 s). */
    private static final int DEFAULT_DRAIN_SECONDS = 3600;

    @TempDir
    Path tmp;

    private static int intSetting(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as("no match for " + regex).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void unitStopsAfterTheDrainAndKeepsTheJitWorking() throws Exception {
        String unit = Files.readString(UNIT);
        assertThat(intSetting(unit, "^TimeoutStopSec=(\\d+)$")).isGreaterThan(DEFAULT_DRAIN_SECONDS);
        assertThat(unit).contains("\nType=simple\n", "\nUser=lk-worker\n", "\nKillMode=mixed\n",
                "\nKillSignal=SIGTERM\n", "\nRestart=on-failure\n", "\nEnvironmentFile=-/etc/default/lk-worker\n",
                "\nExecStart=/usr/bin/lk-worker start --config /etc/lk-worker/lk-worker.properties\n",
                "\nNoNewPrivileges=yes\n", "\nProtectSystem=strict\n",
                "\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n",
                // sockets and pid file in /run/lk-worker, class-data archives kept in /var/cache/lk-worker
                // (the .deb's lk-worker.properties points run-dir and cache-dir there: PackagingArtifactsIT)
                "\nRuntimeDirectory=lk-worker\n", "\nCacheDirectory=lk-worker\n");
        // both break a JVM: W+X pages for the JIT, and syscalls that vary with JDK version and GC
        assertThat(unit).doesNotContainPattern("(?m)^MemoryDenyWriteExecute=").doesNotContainPattern("(?m)^SystemCallFilter=");
    }

    @Test
    @Tag("packaging")
    void systemdAcceptsTheUnit() throws Exception {
        assumeTrue(Commands.onPath("systemd-analyze"), "systemd-analyze not installed");
        // verify insists that ExecStart exists: point it at a stub, everything else unchanged
        Path stub = tmp.resolve("lk-worker");
        Files.writeString(stub, "#!/bin/sh\nexit 0\n");
        assertThat(stub.toFile().setExecutable(true)).isTrue();
        Path unit = tmp.resolve("lk-worker.service");
        Files.writeString(unit, Files.readString(UNIT).replace("ExecStart=/usr/bin/lk-worker ", "ExecStart=" + stub + " "));

        Commands.Result verify = Commands.run(tmp, Map.of("SYSTEMD_LOG_LEVEL", "warning"),
                "systemd-analyze", "verify", unit.toString());
        // unknown or malformed directives are only warnings ("ignoring"): any output is a failure
        assertThat(verify.output()).isEmpty();
        assertThat(verify.exitCode()).isZero();
    }

    /**
     * Maven warns about a plugin declared twice (and may refuse it one day); a clean build must print no
     * warning of ours, so each plugin is declared once, with all its executions.
     */
    @Test
    void eachBuildPluginIsDeclaredOnce() throws Exception {
        org.w3c.dom.Document pom = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(PROJECT.resolve("pom.xml").toFile());
        org.w3c.dom.NodeList plugins = pom.getElementsByTagName("plugin");
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < plugins.getLength(); i++) {
            org.w3c.dom.Element plugin = (org.w3c.dom.Element) plugins.item(i);
            if (plugin.getParentNode().getParentNode().getNodeName().equals("build")) {
                String group = plugin.getElementsByTagName("groupId").getLength() > 0
                        ? plugin.getElementsByTagName("groupId").item(0).getTextContent() : "org.apache.maven.plugins";
                keys.add(group + ":" + plugin.getElementsByTagName("artifactId").item(0).getTextContent());
            }
        }
        assertThat(keys).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void maintainerScriptsAreExecutableShell() throws Exception {
        for (String script : new String[] {"postinst", "prerm", "postrm"}) {
            Path p = PROJECT.resolve("packaging/deb/" + script);
            assertThat(p).isExecutable();
            Commands.Result syntax = Commands.run("sh", "-n", p.toString());
            assertThat(syntax.exitCode()).as(script + ": " + syntax.output()).isZero();
        }
        String postinst = Files.readString(PROJECT.resolve("packaging/deb/postinst"));
        assertThat(postinst).contains("adduser --system --group --no-create-home", "/var/lib/lk-worker",
                "/run/lk-worker", "/var/cache/lk-worker", "systemctl daemon-reload");
    }

    /**
     * Issue 20, item 10: {@code dpkg -r} deletes the caches (class-data archives, WebRTC library) and the
     * stopped daemon's runtime leftovers; the state directory and configuration stay until purge. Run
     * against a fake root through {@code DPKG_ROOT}, as dpkg itself does for {@code --root} installs.
     */
    @Test
    void removeDeletesCachesAndRuntimeFilesAndPurgeTheStateToo() throws Exception {
        Path root = tmp.resolve("root");
        Path cache = Files.createDirectories(root.resolve("var/cache/lk-worker/cds"));
        Files.writeString(cache.resolve("job.jsa"), "archive");
        Path run = Files.createDirectories(root.resolve("run/lk-worker"));
        Files.writeString(run.resolve("lk-worker.pid.exit"), "0\n");
        Path state = Files.createDirectories(root.resolve("var/lib/lk-worker"));
        Files.writeString(state.resolve("kept"), "state");
        Path config = Files.createDirectories(root.resolve("etc/lk-worker"));
        Files.writeString(config.resolve("lk-worker.properties"), "# mine\n");
        Path wants = Files.createDirectories(root.resolve("etc/systemd/system/multi-user.target.wants"));
        Files.writeString(wants.resolve("lk-worker.service"), "");
        String postrm = PROJECT.resolve("packaging/deb/postrm").toString();
        Map<String, String> env = Map.of("DPKG_ROOT", root.toString());

        Commands.Result remove = Commands.run(tmp, env, "sh", postrm, "remove");

        assertThat(remove.exitCode()).as(remove.output()).isZero();
        assertThat(root.resolve("var/cache/lk-worker")).doesNotExist();
        assertThat(run).doesNotExist();
        assertThat(state.resolve("kept")).exists();
        assertThat(config.resolve("lk-worker.properties")).exists();
        assertThat(wants.resolve("lk-worker.service")).exists();

        Commands.Result purge = Commands.run(tmp, env, "sh", postrm, "purge");

        assertThat(purge.exitCode()).as(purge.output()).isZero();
        assertThat(state).doesNotExist();
        assertThat(wants.resolve("lk-worker.service")).doesNotExist();
    }

    /**
     * conf/logback.xml as lk-worker applies it (the format and level properties set): the console
     * appender of the chosen format behind the bounded queue that never blocks, JSON through our encoder.
     */
    @Test
    void productionLogbackQueuesRecordsForTheChosenFormat() throws Exception {
        for (String format : new String[] {"JSON", "TEXT"}) {
            LoggerContext context = new LoggerContext();
            context.putProperty("lkworker.log.format", format);
            context.putProperty("lkworker.log.level", "WARN");
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(PROJECT.resolve("conf/logback.xml").toFile());
            try {
                assertThat(context.getStatusManager().getCopyOfStatusList())
                        .filteredOn(s -> s.getLevel() >= Status.WARN)
                        .extracting(Status::getMessage)
                        // the format not chosen is an unused appender: expected, and why the file mutes status output
                        .allMatch(m -> m.matches("Appender named \\[(TEXT|JSON)_OUT\\] not referenced.*"));
                ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
                assertThat(root.getLevel()).isEqualTo(Level.WARN);
                BoundedAsyncAppender async = (BoundedAsyncAppender) root.getAppender("ASYNC");
                assertThat(async.isStarted()).isTrue();
                assertThat(async.getQueueSize()).isBetween(1024, 65536);
                @SuppressWarnings("unchecked")
                OutputStreamAppender<ILoggingEvent> out = (OutputStreamAppender<ILoggingEvent>) async.getAppender(format + "_OUT");
                assertThat(out).as(format + "_OUT behind the queue").isNotNull();
                assertThat(async.getAppender(format.equals("JSON") ? "TEXT_OUT" : "JSON_OUT")).isNull();
                if (format.equals("JSON")) {
                    assertThat(out.getEncoder()).isInstanceOf(JsonLineEncoder.class);
                }
            } finally {
                context.stop();
            }
        }
        // without the properties (logback's own start-up, before lk-worker applies them): text at INFO
        LoggerContext plain = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(plain);
        configurator.doConfigure(PROJECT.resolve("conf/logback.xml").toFile());
        try {
            ch.qos.logback.classic.Logger root = plain.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            assertThat(root.getLevel()).isEqualTo(Level.INFO);
            assertThat(((BoundedAsyncAppender) root.getAppender("ASYNC")).getAppender("TEXT_OUT")).isNotNull();
        } finally {
            plain.stop();
        }
    }

    /** The jar's built-in logging configuration is conf/logback.xml itself (the pom copies it). */
    @Test
    void theBuiltInLoggingConfigurationIsTheInstalledOne() throws Exception {
        Path builtIn = Path.of(System.getProperty("lkworker.test.classes", "target/classes")).resolve("logback.xml");
        assertThat(builtIn).hasSameTextualContentAs(PROJECT.resolve("conf/logback.xml"));
    }
}
