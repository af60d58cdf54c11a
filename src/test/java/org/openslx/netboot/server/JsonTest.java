package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Property
    @SuppressWarnings("unchecked")
    void anyStringSurvivesWritingAndReading(@ForAll String text, @ForAll long number) {
        String json = new JsonWriter().beginObject().field("s", text).field("n", number)
                .name("list").beginArray().value(true).value((String) null).endArray().endObject().toString();
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) JsonReader.parse(json);
        assertThat(back.get("s")).isEqualTo(text);
        assertThat(back.get("n")).isEqualTo(number);
        assertThat((List<Object>) back.get("list")).containsExactly(true, null);
        assertThat(json).doesNotContain("<");
    }

    @Test
    void brokenJsonIsRefusedWithItsOffset() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":}")).hasMessageContaining("offset 5");
        assertThatThrownBy(() -> JsonReader.parse("[1,2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonReader.parse("[".repeat(1000))).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> JsonReader.parse("\"\\u12\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonReader.parse("{} x")).hasMessageContaining("after the JSON value");
    }
}
