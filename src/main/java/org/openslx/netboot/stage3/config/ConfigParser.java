package org.openslx.netboot.stage3.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an SLX config ({@code SLX_*='...'} lines, as stage4 scripts source them) as data; nothing is
 * ever executed. What a line may contain:
 * <ul>
 *   <li>{@code NAME=value} or {@code export NAME=value}, one per line; {@code export NAME} alone is
 *       accepted and changes nothing; blank lines and {@code # comments} (also after a value);</li>
 *   <li>values as a POSIX shell reads them: {@code 'single quotes'} are literal,
 *       {@code "double quotes"} know the escapes {@code \" \\ \$ \`} and a backslash-newline,
 *       an unquoted backslash escapes the next character, and quotes may span lines;</li>
 *   <li>{@code $NAME} and {@code ${NAME}} (unquoted or in double quotes) are replaced by a variable
 *       <em>defined earlier in this config</em> or by one stage3 derives from the command line
 *       ({@code SLX_PXE_*}, {@code SLX_KCL_SERVERS}, {@code SLX_BASE_PATH}). The environment is never
 *       read. A reference to anything else is an error: a shell would silently use an empty value,
 *       which is how a typo turns into a boot that fails somewhere else. A {@code $} followed by
 *       neither a name nor a brace is a literal dollar sign, as in the shell.</li>
 * </ul>
 * Anything that needs a shell to evaluate is an error with its line number: command substitution
 * ({@code $(...)}, backticks), arithmetic, parameter operators ({@code ${A:-b}}), positional and
 * special parameters ({@code $1 $? $$}), {@code $'...'}, unquoted {@code ; & | < > ( )}, tilde
 * expansion, {@code +=}, several assignments on one line, and any other command.
 */
public final class ConfigParser {
    private final String source;
    private final String text;
    private final Map<String, String> derived;
    private final Map<String, String> defined = new HashMap<>();
    private final List<ConfigAssignment> assignments = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private int at;
    private int line = 1;

    private ConfigParser(String source, String text, Map<String, String> derived) {
        this.source = source;
        this.text = text;
        this.derived = derived;
    }

    /**
     * @param source  where the text came from (file or URL), for messages
     * @param derived variables stage3 knows before reading the config, which {@code $NAME} may use
     * @throws ConfigSyntaxException listing every line that is not data
     */
    public static ParsedConfig parse(String source, String text, Map<String, String> derived) {
        ConfigParser parser = new ConfigParser(source, text, derived);
        parser.readAll();
        if (!parser.problems.isEmpty()) {
            throw new ConfigSyntaxException(source, parser.problems);
        }
        return new ParsedConfig(source, text, parser.assignments, parser.warnings);
    }

    public static ParsedConfig parse(String source, String text) {
        return parse(source, text, Map.of());
    }

    /** Thrown inside a line; the parser records it and goes on with the next line. */
    private static final class LineProblem extends RuntimeException {
        LineProblem(String message) {
            super(message, null, false, false);
        }
    }

    private void readAll() {
        if (text.startsWith("\uFEFF")) {
            at = 1;
            warnings.add("config " + source + " starts with a byte order mark; it is ignored");
        }
        if (text.indexOf('\0') >= 0) {
            problems.add("line " + lineOf(text.indexOf('\0')) + ": contains a NUL byte; this is not a text file");
            return;
        }
        if (text.contains("\r\n")) {
            warnings.add("config " + source + " has Windows line endings (CR LF); the CRs are ignored, but a shell"
                    + " sourcing the original would keep them in the values");
        }
        while (at < text.length()) {
            int lineStart = line;
            try {
                readLine();
            } catch (LineProblem p) {
                problems.add("line " + lineStart + ": " + p.getMessage());
                skipRestOfLine();
            }
            if (problems.size() >= 20) {
                problems.add("(stopped after 20 problems)");
                return;
            }
        }
    }

    private void readLine() {
        skipBlanks();
        if (atLineEnd()) {
            consumeLineEnd();
            return;
        }
        if (peek() == '#') {
            skipRestOfLine();
            return;
        }
        int wordStart = at;
        String name = readName();
        if (name.equals("export") && isBlank(peek())) {
            skipBlanks();
            wordStart = at;
            name = readName();
            if (!name.isEmpty() && (atLineEnd() || isBlank(peek()) || peek() == '#')) {
                // "export NAME": marks a variable for export; nothing to evaluate.
                expectLineEnd();
                return;
            }
        }
        if (name.isEmpty() || at >= text.length() || peek() != '=') {
            if (!name.isEmpty() && peek() == '+' && peekAt(1) == '=') {
                throw new LineProblem("'" + name + "+=' appends, which needs a shell; write the whole value");
            }
            String shown = firstWordFrom(wordStart);
            if (List.of("readonly", "local", "declare", "typeset", "unset", "if", "for", ".", "source", "eval")
                    .contains(shown)) {
                throw new LineProblem("'" + shown + "' is a shell command; a config holds only NAME=value lines");
            }
            throw new LineProblem("expected NAME=value, found '" + shown + "'");
        }
        at++; // '='
        int valueLine = line;
        String value = readWord();
        skipBlanks();
        if (!atLineEnd() && peek() != '#') {
            String rest = firstWordFrom(at);
            throw new LineProblem("unexpected '" + rest + "' after the value of " + name
                    + " (one assignment per line; quote values that contain spaces)");
        }
        skipRestOfLine();
        defined.put(name, value);
        assignments.add(new ConfigAssignment(name, value, valueLine));
    }

    private String readName() {
        int start = at;
        if (at < text.length() && (Character.isLetter(peek()) && peek() < 128 || peek() == '_')) {
            at++;
            while (at < text.length() && (peek() < 128 && Character.isLetterOrDigit(peek()) || peek() == '_')) {
                at++;
            }
        }
        return text.substring(start, at);
    }

    /** One shell word: the value of an assignment. */
    private String readWord() {
        StringBuilder value = new StringBuilder();
        if (at < text.length() && peek() == '~') {
            throw new LineProblem("an unquoted '~' at the start of a value expands to a home directory in a shell;"
                    + " quote it ('~...') if you mean the character");
        }
        while (at < text.length()) {
            char c = peek();
            if (isBlank(c) || c == '\n' || (c == '\r' && peekAt(1) == '\n')) {
                break;
            }
            switch (c) {
                case '\'' -> readSingleQuoted(value);
                case '"' -> readDoubleQuoted(value);
                case '\\' -> {
                    at++;
                    if (at >= text.length()) {
                        break;
                    }
                    if (peek() == '\n') {
                        consumeLineEnd();
                    } else if (peek() == '\r' && peekAt(1) == '\n') {
                        consumeLineEnd();
                    } else {
                        value.append(peek());
                        at++;
                    }
                }
                case '$' -> readDollar(value);
                case '`' -> throw new LineProblem("backticks run a command, which needs a shell");
                case ';', '&', '|', '<', '>', '(', ')' ->
                        throw new LineProblem("unquoted '" + c + "' needs a shell; quote the value");
                default -> {
                    value.append(c);
                    at++;
                }
            }
        }
        return value.toString();
    }

    private void readSingleQuoted(StringBuilder value) {
        int startLine = line;
        at++;
        while (true) {
            if (at >= text.length()) {
                throw new LineProblem("the single quote opened on line " + startLine + " is never closed");
            }
            char c = peek();
            if (c == '\'') {
                at++;
                return;
            }
            if (c == '\r' && peekAt(1) == '\n') {
                at++;
                continue;
            }
            if (c == '\n') {
                line++;
            }
            value.append(c);
            at++;
        }
    }

    private void readDoubleQuoted(StringBuilder value) {
        int startLine = line;
        at++;
        while (true) {
            if (at >= text.length()) {
                throw new LineProblem("the double quote opened on line " + startLine + " is never closed");
            }
            char c = peek();
            switch (c) {
                case '"' -> {
                    at++;
                    return;
                }
                case '\\' -> {
                    char next = peekAt(1);
                    if (next == '$' || next == '`' || next == '"' || next == '\\') {
                        value.append(next);
                        at += 2;
                    } else if (next == '\n') {
                        at += 2;
                        line++;
                    } else if (next == '\r' && peekAt(2) == '\n') {
                        at += 3;
                        line++;
                    } else {
                        value.append('\\');
                        at++;
                    }
                }
                case '$' -> readDollar(value);
                case '`' -> throw new LineProblem("backticks run a command, which needs a shell");
                case '\r' -> at++;
                default -> {
                    if (c == '\n') {
                        line++;
                    }
                    value.append(c);
                    at++;
                }
            }
        }
    }

    private void readDollar(StringBuilder value) {
        char next = peekAt(1);
        if (next == '(') {
            throw new LineProblem(peekAt(2) == '(' ? "$((...)) is arithmetic, which needs a shell"
                    : "$(...) runs a command, which needs a shell");
        }
        if (next == '\'') {
            throw new LineProblem("$'...' quoting is a bash feature; use plain single quotes");
        }
        if (next == '{') {
            int close = text.indexOf('}', at + 2);
            int newline = text.indexOf('\n', at + 2);
            if (close < 0 || (newline >= 0 && newline < close)) {
                throw new LineProblem("'${' is never closed with '}'");
            }
            String inside = text.substring(at + 2, close);
            if (!inside.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new LineProblem("${" + inside + "} needs a shell; only ${NAME} is read here");
            }
            value.append(lookup(inside));
            at = close + 1;
            return;
        }
        if (next < 128 && (Character.isLetter(next) || next == '_')) {
            at++;
            String name = readName();
            value.append(lookup(name));
            return;
        }
        if (Character.isDigit(next) || "@*#?$!-".indexOf(next) >= 0 && next != 0) {
            throw new LineProblem("$" + next + " is a shell's special parameter; it has no value in a config");
        }
        value.append('$');
        at++;
    }

    private String lookup(String name) {
        String found = defined.get(name);
        if (found == null) {
            found = derived.get(name);
        }
        if (found == null) {
            throw new LineProblem("$" + name + " is not defined earlier in the config (slx-netboot does not read"
                    + " the environment, and an empty value here is almost always a typo)");
        }
        return found;
    }

    private void expectLineEnd() {
        skipBlanks();
        if (!atLineEnd() && peek() != '#') {
            throw new LineProblem("unexpected '" + firstWordFrom(at) + "'");
        }
        skipRestOfLine();
    }

    private String firstWordFrom(int start) {
        int end = start;
        while (end < text.length() && !isBlank(text.charAt(end)) && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
            end++;
        }
        String word = text.substring(start, end);
        return word.length() > 40 ? word.substring(0, 40) + "..." : word;
    }

    /** The current character, or 0 at the end of the text. */
    private char peek() {
        return at < text.length() ? text.charAt(at) : 0;
    }

    private char peekAt(int offset) {
        return at + offset < text.length() ? text.charAt(at + offset) : 0;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private boolean atLineEnd() {
        return at >= text.length() || peek() == '\n' || (peek() == '\r' && peekAt(1) == '\n');
    }

    private void skipBlanks() {
        while (at < text.length() && isBlank(peek())) {
            at++;
        }
    }

    private void consumeLineEnd() {
        if (at < text.length() && peek() == '\r') {
            at++;
        }
        if (at < text.length() && peek() == '\n') {
            at++;
            line++;
        }
    }

    private void skipRestOfLine() {
        while (at < text.length() && peek() != '\n') {
            at++;
        }
        consumeLineEnd();
    }

    private int lineOf(int index) {
        int count = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                count++;
            }
        }
        return count;
    }
}
