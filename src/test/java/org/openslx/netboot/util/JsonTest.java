package org.openslx.netboot.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.block.ExternalCommand;

class JsonTest {
    @Property
    @SuppressWarnings("unchecked")
    void anyStringSurvivesWritingAndReading(@ForAll String text, @ForAll long number) {
        String json = new JsonWriter().beginObject().field("s", text).field("n", number)
                .name("list").beginArray().value(true).value((String) null).endArray().endObject().toString();
        Map<String, Object> back = (Map<String, Object>) JsonReader.parse(json);
        assertThat(back.get("s")).isEqualTo(text);
        assertThat(back.get("n")).isEqualTo(BigDecimal.valueOf(number));
        assertThat((List<Object>) back.get("list")).containsExactly(true, null);
        assertThat(json).doesNotContain("<");
    }

    @Test
    void compactWriterPutsNoSpacesBetweenElements() {
        assertThat(new JsonWriter().beginObject().field("a", 1).name("b").beginArray().value("x").value(false)
                .endArray().name("c").beginObject().endObject().endObject().toString())
                .isEqualTo("{\"a\":1,\"b\":[\"x\",false],\"c\":{}}");
    }

    @Test
    void brokenJsonIsRefusedWithItsLineAndColumn() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":}")).hasMessageContaining("line 1 column 6");
        assertThatThrownBy(() -> JsonReader.parse("[1,2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonReader.parse("[".repeat(1000))).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> JsonReader.parse("\"\\u12\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonReader.parse("{} x")).hasMessageContaining("after the JSON value");
    }

    @Test
    void inputBeyondTheSizeLimitIsRefusedBeforeReading() {
        String huge = " ".repeat(JsonReader.MAX_CHARS) + "1";
        assertThatThrownBy(() -> JsonReader.parse("big.json", huge))
                .hasMessageStartingWith("big.json: ").hasMessageContaining("more than the");
        assertThatThrownBy(() -> JsonReader.parse("1" + "0".repeat(100)))
                .hasMessageContaining("is not a JSON number");
    }

    @Test
    void writesNestedObjectsAndArraysInOrder() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "disk");
        value.put("size", 42L);
        value.put("ok", true);
        value.put("none", null);
        value.put("list", List.of(1, "two"));
        value.put("empty", Map.of());
        assertThat(JsonWriter.pretty(value)).isEqualTo("""
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
        assertThat(JsonWriter.pretty("a\"b\\c\nd\u0001\u2028")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\\u2028\"");
    }

    @Test
    void refusesValuesWithoutAJsonForm() {
        assertThatThrownBy(() -> JsonWriter.pretty(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    /** Random strings, lone surrogates included, read back unchanged by python3's json module. */
    @Test
    void anyStringsReadBackUnchangedByPython() throws IOException {
        List<String> strings = new ArrayList<>(List.of("\ud800", "x\udc00y", "\ud83d\ude00", "\u007f\u0000"));
        Arbitraries.strings().all().ofMaxLength(40).sampleStream().limit(300).forEach(strings::add);
        Path file = Files.createTempFile("json", ".json");
        try {
            Files.writeString(file, JsonWriter.pretty(strings));
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
