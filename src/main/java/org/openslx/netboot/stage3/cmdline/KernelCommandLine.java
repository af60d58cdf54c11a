package org.openslx.netboot.stage3.cmdline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The kernel command line split into parameters exactly as the kernel splits it
 * ({@code next_arg()} in the kernel's {@code lib/cmdline.c}, which dracut's {@code getarg} follows):
 * <ul>
 *   <li>parameters are separated by whitespace outside double quotes;</li>
 *   <li>{@code foo="a b"} is {@code foo} with value {@code a b}: a quote right after {@code =} and
 *       the matching one at the end are removed;</li>
 *   <li>{@code "foo=a b"} (a quote around the whole parameter) means the same;</li>
 *   <li>quotes elsewhere ({@code foo=a"b c"d}) group words but stay in the value;</li>
 *   <li>there are no escapes; a lone {@code --} ends the kernel's parameters (the rest belongs to
 *       init), so it ends ours too.</li>
 * </ul>
 * Parameters may repeat; like dracut, the last one wins for single-valued keys.
 */
public final class KernelCommandLine {
    private final String text;
    private final List<KernelParameter> parameters;

    private KernelCommandLine(String text, List<KernelParameter> parameters) {
        this.text = text;
        this.parameters = List.copyOf(parameters);
    }

    public static KernelCommandLine parse(String text) {
        List<KernelParameter> parameters = new ArrayList<>();
        int at = 0;
        int length = text.length();
        while (true) {
            while (at < length && isSpace(text.charAt(at))) {
                at++;
            }
            if (at >= length) {
                break;
            }
            int start = at;
            boolean quoted = false;
            boolean inQuote = false;
            if (text.charAt(at) == '"') {
                at++;
                start = at;
                quoted = true;
                inQuote = true;
            }
            int equals = -1;
            while (at < length) {
                char c = text.charAt(at);
                if (isSpace(c) && !inQuote) {
                    break;
                }
                if (equals < 0 && c == '=') {
                    equals = at;
                }
                if (c == '"') {
                    inQuote = !inQuote;
                }
                at++;
            }
            int end = at;
            // The kernel drops a closing quote of a quoted parameter or of a quoted value.
            String key;
            Optional<String> value;
            if (equals < 0) {
                if (quoted && end > start && text.charAt(end - 1) == '"') {
                    end--;
                }
                key = text.substring(start, end);
                value = Optional.empty();
            } else {
                key = text.substring(start, equals);
                int valueStart = equals + 1;
                boolean valueQuoted = valueStart < end && text.charAt(valueStart) == '"';
                if (valueQuoted) {
                    valueStart++;
                }
                if ((valueQuoted || quoted) && end > valueStart && text.charAt(end - 1) == '"') {
                    end--;
                }
                value = Optional.of(text.substring(valueStart, Math.max(valueStart, end)));
            }
            if (value.isEmpty() && key.equals("--")) {
                break;
            }
            if (!key.isEmpty()) {
                parameters.add(new KernelParameter(key, value));
            }
        }
        return new KernelCommandLine(text, parameters);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /** The text as given (for logs). */
    public String text() {
        return text.strip();
    }

    public List<KernelParameter> parameters() {
        return parameters;
    }

    /** Every value given for {@code key}, in order; bare flags are left out. */
    public List<String> values(String key) {
        return parameters.stream()
                .filter(p -> p.key().equals(key))
                .flatMap(p -> p.value().stream())
                .toList();
    }

    /** The last value given for {@code key} (dracut's {@code getarg} semantics). */
    public Optional<String> last(String key) {
        List<String> values = values(key);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.getLast());
    }

    /**
     * The command line without the parameters {@code drop} rejects, written so the kernel's rules read
     * it back the same ({@code key="value with blanks"}).
     */
    public String without(Predicate<KernelParameter> drop) {
        return parameters.stream().filter(drop.negate()).map(p -> p.value()
                        // A value with blanks and quotes (foo=a"b c"d) came in unquoted and goes out the same way.
                        .map(v -> p.key() + "=" + (v.matches("\\S*") || v.contains("\"") ? v : "\"" + v + "\""))
                        .orElse(p.key()))
                .collect(Collectors.joining(" "));
    }

    /** Whether {@code key} appears at all, with or without a value. */
    public boolean has(String key) {
        return parameters.stream().anyMatch(p -> p.key().equals(key));
    }
}
