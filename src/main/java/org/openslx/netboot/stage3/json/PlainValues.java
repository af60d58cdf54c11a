package org.openslx.netboot.stage3.json;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Turns plans and machine models into the plain values {@link org.openslx.netboot.util.Json} writes.
 * Records become objects of their components (a record that implements a sealed interface also
 * gets {@code "type": "<RecordName>"}, so plan steps say what they are); Optionals are their value
 * or null; Durations are seconds; enums are lowercase names; anything else is its string form.
 */
public final class PlainValues {
    private PlainValues() {
    }

    public static Object of(Object value) {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Number n -> n;
            case Enum<?> e -> e.name().toLowerCase();
            case Path p -> p.toString();
            case Duration d -> d.toMillis() % 1000 == 0 ? (Object) d.toSeconds() : (Object) (d.toMillis() / 1000.0);
            case Optional<?> o -> of(o.orElse(null));
            case OptionalInt o -> o.isPresent() ? o.getAsInt() : null;
            case OptionalLong o -> o.isPresent() ? o.getAsLong() : null;
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put(String.valueOf(k), of(v)));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>();
                c.forEach(item -> out.add(of(item)));
                yield out;
            }
            case Record r -> record(r);
            default -> value.toString();
        };
    }

    private static Map<String, Object> record(Record record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Class<?> iface : record.getClass().getInterfaces()) {
            if (iface.isSealed()) {
                fields.put("type", record.getClass().getSimpleName());
                break;
            }
        }
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            try {
                fields.put(component.getName(), of(component.getAccessor().invoke(record)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + component + " of " + record.getClass(), e);
            }
        }
        return fields;
    }
}
