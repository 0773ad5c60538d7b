package io.lkworker.dev;

import io.lkworker.logging.Plural;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the agent jar (through its directory, so a jar rewritten or replaced is seen) and any extra
 * directories, and reports a change once things have been quiet for the debounce period — a build
 * writes many files in a burst and should cause one reload. Runs on its own thread
 * ({@code lk-dev-watch}); {@code onChange} is called there with the changed paths.
 */
public final class AgentWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentWatcher.class);

    private final Path jar;
    private final List<Path> directories;
    private final Duration debounce;
    private final Consumer<Set<Path>> onChange;
    private final WatchService watcher;
    private final Thread thread;

    public AgentWatcher(Path jar, List<Path> extraDirectories, Duration debounce, Consumer<Set<Path>> onChange)
            throws IOException {
        this.jar = jar.toAbsolutePath().normalize();
        this.directories = new ArrayList<>();
        this.debounce = debounce;
        this.onChange = onChange;
        this.watcher = FileSystems.getDefault().newWatchService();
        register(this.jar.getParent());
        for (Path dir : extraDirectories) {
            registerTree(dir.toAbsolutePath().normalize());
        }
        this.thread = new Thread(this::run, "lk-dev-watch");
        thread.setDaemon(true);
    }

    public AgentWatcher start() {
        thread.start();
        log.info("watching {} for changes{}", jar, directories.size() > 1
                ? " and " + Plural.of(directories.size() - 1, "more directory", "more directories") : "");
        return this;
    }

    private void register(Path dir) throws IOException {
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        directories.add(dir);
    }

    private void registerTree(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("cannot watch " + root + ": not a directory");
        }
        try (var walk = Files.walk(root)) {
            for (Path dir : walk.filter(Files::isDirectory).toList()) {
                register(dir);
            }
        }
    }

    private void run() {
        Set<Path> changed = new HashSet<>();
        try {
            while (true) {
                WatchKey key = changed.isEmpty() ? watcher.take()
                        : watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS);
                if (key == null) {
                    // Quiet for the debounce period: one reload for the whole burst.
                    Set<Path> batch = Set.copyOf(changed);
                    changed.clear();
                    onChange.accept(batch);
                    continue;
                }
                Path dir = (Path) key.watchable();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        changed.add(jar);
                        continue;
                    }
                    Path path = dir.resolve((Path) event.context());
                    if (relevant(dir, path)) {
                        changed.add(path);
                    }
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(path)
                            && !dir.equals(jar.getParent())) {
                        registerTree(path);
                    }
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (IOException e) {
            log.warn("file watching stopped: {}", e.getMessage());
        }
    }

    /** In the jar's own directory only the jar counts; in watched trees every file does. */
    private boolean relevant(Path dir, Path path) {
        if (dir.equals(jar.getParent()) && directories.indexOf(dir) == 0) {
            return path.equals(jar);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        thread.interrupt();
        watcher.close();
    }
}
