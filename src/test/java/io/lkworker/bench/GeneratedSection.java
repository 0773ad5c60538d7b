package io.lkworker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The part of a results file a benchmark writes: between {@code <!-- BEGIN NAME (generated) -->} and
 * {@code <!-- END NAME -->}. The rest of the file is hand-written notes and is kept.
 */
record GeneratedSection(String name) {

    void write(Path file, String section) throws IOException {
        String begin = "<!-- BEGIN " + name + " (generated) -->";
        String end = "<!-- END " + name + " -->";
        String old = Files.exists(file) ? Files.readString(file) : "";
        String block = begin + "\n" + section + "\n" + end;
        int b = old.indexOf(begin);
        int e = old.indexOf(end);
        String updated = b >= 0 && e > b ? old.substring(0, b) + block + old.substring(e + end.length())
                : old + (old.isEmpty() ? "" : "\n") + block + "\n";
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, updated);
    }
}
