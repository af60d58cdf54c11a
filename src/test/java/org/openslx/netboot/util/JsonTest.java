package org.openslx.netboot.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.block.ExternalCommand;

class JsonTest {
    @Test
    void writesNestedObjectsAndArraysInOrder() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "disk");
        value.put("size", 42L);
        value.put("ok", true);
        value.put("none", null);
        value.put("list", List.of(1, "two"));
        value.put("empty", Map.of());
        assertThat(Json.write(value)).isEqualTo("""
                {
                  "name": "disk",
                  "size": 42,
                  "ok": true,
                  "none": null,
                  "list": [
                    1,
                    "two"
                  ],
                  "empty": {}
                }""");
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertThat(Json.write("a\"b\\c\nd\u0001\u2028")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\\u2028\"");
    }

    @Test
    void refusesValuesWithoutAJsonForm() {
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    /** Random strings, lone surrogates included, read back unchanged by python3's json module. */
    @Test
    void anyStringsReadBackUnchangedByPython() throws IOException {
        List<String> strings = new ArrayList<>(List.of("\ud800", "x\udc00y", "\ud83d\ude00", "\u007f\u0000"));
        Arbitraries.strings().all().ofMaxLength(40).sampleStream().limit(300).forEach(strings::add);
        Path file = Files.createTempFile("json", ".json");
        try {
            Files.writeString(file, Json.write(strings));
            String echoed = ExternalCommand.run("python3", "-c",
                    "import json,sys; print(json.dumps(json.load(open(sys.argv[1])), ensure_ascii=True))",
                    file.toString()).strip();
            assertThat(echoed).isEqualTo(pythonAsciiDump(strings));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** What python's json.dumps(..., ensure_ascii=True) prints for a list of strings. */
    private static String pythonAsciiDump(List<String> strings) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < strings.size(); i++) {
            out.append(i > 0 ? ", " : "").append('"');
            for (char c : strings.get(i).toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            out.append('"');
        }
        return out.append(']').toString();
    }
}
