package org.openslx.netboot.stage3.json;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Writes plans and machine models as indented JSON. Records become objects of their components
 * (a record that implements a sealed interface also gets {@code "type": "<RecordName>"}, so plan steps
 * say what they are); Optionals are their value or null; Durations are seconds; enums are names;
 * anything else is its string form.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder();

    private JsonWriter() {
    }

    public static String write(Object value) {
        JsonWriter writer = new JsonWriter();
        writer.value(value, 0);
        return writer.out.append('\n').toString();
    }

    private void value(Object value, int indent) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(s);
            case Boolean b -> out.append(b);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Number n -> out.append(n);
            case Enum<?> e -> string(e.name().toLowerCase());
            case Path p -> string(p.toString());
            case Duration d -> out.append(d.toMillis() % 1000 == 0 ? String.valueOf(d.toSeconds())
                    : String.valueOf(d.toMillis() / 1000.0));
            case Optional<?> o -> value(o.orElse(null), indent);
            case OptionalInt o -> value(o.isPresent() ? o.getAsInt() : null, indent);
            case OptionalLong o -> value(o.isPresent() ? o.getAsLong() : null, indent);
            case Map<?, ?> m -> object(m, indent);
            case Collection<?> c -> array(c, indent);
            case byte[] bytes -> out.append(bytes.length);
            case Record r -> record(r, indent);
            default -> string(value.toString());
        }
    }

    private void record(Record record, int indent) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        for (Class<?> iface : record.getClass().getInterfaces()) {
            if (iface.isSealed()) {
                fields.put("type", record.getClass().getSimpleName());
                break;
            }
        }
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            try {
                fields.put(component.getName(), component.getAccessor().invoke(record));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + component + " of " + record.getClass(), e);
            }
        }
        object(fields, indent);
    }

    private void object(Map<?, ?> map, int indent) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            pad(indent + 2);
            string(String.valueOf(e.getKey()));
            out.append(": ");
            value(e.getValue(), indent + 2);
            out.append(++i < map.size() ? ",\n" : "\n");
        }
        pad(indent);
        out.append('}');
    }

    private void array(Collection<?> list, int indent) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append("[\n");
        int i = 0;
        for (Object item : list) {
            pad(indent + 2);
            value(item, indent + 2);
            out.append(++i < list.size() ? ",\n" : "\n");
        }
        pad(indent);
        out.append(']');
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void pad(int n) {
        out.append(" ".repeat(n));
    }
}
