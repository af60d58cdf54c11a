package org.openslx.netboot.stage3.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a config value that holds a command or options ({@code mkfs.ext4 -L "OpenSLX ID44"},
 * {@code -o subvol=@}) into words: blanks separate words, single and double quotes group them and
 * are removed, a backslash escapes the next character. Nothing is expanded or executed.
 */
public final class Words {
    private Words() {
    }

    public static List<String> split(String value) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < value.length()
                        && "\"\\$`".indexOf(value.charAt(i + 1)) >= 0) {
                    word.append(value.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < value.length()) {
                word.append(value.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("the quote " + quote + " in '" + value + "' is never closed");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
