package org.openslx.netboot.stage3.machine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code blkid -p -o export} output: {@code KEY=value} lines, where blkid escapes blanks and
 * other special characters in values with a backslash ({@code LABEL=My\ Disk}).
 */
public final class BlkidExport {
    private BlkidExport() {
    }

    public static Map<String, String> parse(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            StringBuilder value = new StringBuilder();
            for (int i = eq + 1; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    c = line.charAt(++i);
                }
                value.append(c);
            }
            values.put(line.substring(0, eq), value.toString());
        }
        return values;
    }
}
