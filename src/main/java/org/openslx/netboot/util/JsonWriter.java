package org.openslx.netboot.util;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON (RFC 8259), the project's one JSON writer. Two ways to use it:
 * <ul>
 * <li>{@link #pretty(Object)} for {@code --json} outputs: plain values ({@link Map} as objects,
 * keys in iteration order, {@link List}, {@link String}, {@link Number}, {@link Boolean}, null),
 * indented by two spaces per level;</li>
 * <li>a compact writer ({@code new JsonWriter()}) that status endpoints fill element by element:
 * commas and escaping are its business, structure is the caller's.</li>
 * </ul>
 * Strings escape quotes, backslashes, control characters, U+2028/9 and lone surrogates, so any
 * reader accepts the output, and {@code <}, so that a name like {@code </script>} stays inert
 * wherever the JSON is pasted.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder(1024);
    private final boolean indented;
    /** Per open container: whether it has an element yet (then the next one needs a comma). */
    private final Deque<boolean[]> open = new ArrayDeque<>();
    private boolean afterName;

    /** A compact writer: no spaces, no newlines. */
    public JsonWriter() {
        this(false);
    }

    private JsonWriter(boolean indented) {
        this.indented = indented;
    }

    /** The plain value as JSON, indented by two spaces per level. */
    public static String pretty(Object value) {
        return new JsonWriter(true).value(value).toString();
    }

    public JsonWriter beginObject() {
        element();
        out.append('{');
        open.push(new boolean[1]);
        return this;
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        element();
        out.append('[');
        open.push(new boolean[1]);
        return this;
    }

    public JsonWriter endArray() {
        return close(']');
    }

    public JsonWriter name(String name) {
        element();
        string(out, name);
        out.append(indented ? ": " : ":");
        afterName = true;
        return this;
    }

    public JsonWriter value(String value) {
        element();
        if (value == null) {
            out.append("null");
        } else {
            string(out, value);
        }
        return this;
    }

    public JsonWriter value(long value) {
        element();
        out.append(value);
        return this;
    }

    public JsonWriter value(boolean value) {
        element();
        out.append(value);
        return this;
    }

    /**
     * A plain value: Map, List, String, Number (NaN and infinities as null), Boolean or null.
     *
     * @throws IllegalArgumentException for anything else
     */
    public JsonWriter value(Object value) {
        switch (value) {
            case null -> value((String) null);
            case String s -> value(s);
            case Boolean b -> value(b.booleanValue());
            case Double d when d.isNaN() || d.isInfinite() -> value((String) null);
            case Float f when f.isNaN() || f.isInfinite() -> value((String) null);
            case Number n -> {
                element();
                out.append(n);
            }
            case Map<?, ?> map -> {
                beginObject();
                map.forEach((key, item) -> name(String.valueOf(key)).value(item));
                endObject();
            }
            case List<?> list -> {
                beginArray();
                list.forEach(this::value);
                endArray();
            }
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
        return this;
    }

    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    private JsonWriter close(char bracket) {
        boolean hadElements = open.pop()[0];
        if (indented && hadElements) {
            newline();
        }
        out.append(bracket);
        return this;
    }

    /** Before an element: the comma after the previous one, and in indented form its own line. */
    private void element() {
        if (afterName) {
            afterName = false;
            return;
        }
        boolean[] hasElements = open.peek();
        if (hasElements != null) {
            if (hasElements[0]) {
                out.append(',');
            }
            hasElements[0] = true;
            if (indented) {
                newline();
            }
        }
    }

    private void newline() {
        out.append('\n').append("  ".repeat(open.size()));
    }

    /** A JSON string literal of {@code s}, escaped as the class comment says. */
    public static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '<' -> out.append("\\u003c");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
                            && !validSurrogatePair(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean validSurrogatePair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
