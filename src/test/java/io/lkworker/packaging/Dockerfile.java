package io.lkworker.packaging;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Dockerfile read the way the builder reads it: comments and blank lines dropped, continuation lines
 * joined, one {@link Instruction} per instruction. Enough to check the invariants of ours without a
 * docker engine (none on these machines).
 */
record Dockerfile(List<Instruction> instructions) {

    /** {@code keyword} upper-cased; {@code arguments} as written (after line joining). */
    record Instruction(String keyword, String arguments) {

        /** The exec form ({@code ["a", "b"]}) as a list; null for the shell form. */
        List<String> execForm() {
            String args = arguments.strip();
            if (!args.startsWith("[")) {
                return null;
            }
            JsonArray array = JsonParser.parseString(args).getAsJsonArray();
            List<String> items = new ArrayList<>();
            array.forEach(e -> items.add(e.getAsString()));
            return items;
        }
    }

    static Dockerfile parse(Path file) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue; // a comment, also between continuation lines (as the builder allows)
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                String text = current.toString().strip();
                current.setLength(0);
                if (text.isEmpty()) {
                    continue;
                }
                int space = text.indexOf(' ');
                instructions.add(new Instruction(text.substring(0, space < 0 ? text.length() : space).toUpperCase(Locale.ROOT),
                        space < 0 ? "" : text.substring(space + 1).strip()));
            }
        }
        return new Dockerfile(instructions);
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The last one, which is the one in force (ENTRYPOINT, CMD, USER, STOPSIGNAL). */
    Instruction last(String keyword) {
        List<Instruction> found = all(keyword);
        return found.isEmpty() ? null : found.get(found.size() - 1);
    }

    int indexOf(Instruction instruction) {
        return instructions.indexOf(instruction);
    }
}
