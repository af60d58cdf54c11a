package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin's extra kernel arguments of a base ({@code boot/<base>/cmdline}): any number of lines,
 * '#' starts a comment, everything else is joined with spaces. Read on every request, so an edit
 * applies to the next boot.
 */
final class KernelArguments {
    private KernelArguments() {
    }

    /** The joined arguments; "" when the file does not exist. */
    static String read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        }
        List<String> arguments = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            for (int c = 0; c < line.length(); c++) {
                char ch = line.charAt(c);
                if (ch < 0x20 && ch != '\t' || ch == 0x7f) {
                    throw new IOException(file + " line " + (i + 1) + ": control character " + (int) ch
                            + " cannot go into a kernel command line");
                }
            }
            String trimmed = line.strip();
            if (!trimmed.isEmpty()) {
                arguments.add(trimmed.replaceAll("\\s+", " "));
            }
        }
        return String.join(" ", arguments);
    }
}
