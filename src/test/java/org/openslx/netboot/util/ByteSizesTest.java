package org.openslx.netboot.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizesTest {
    @Test
    void formatsWholeUnitsExactlyAndOthersWithOneDecimal() {
        assertThat(ByteSizes.format(512)).isEqualTo("512 B");
        assertThat(ByteSizes.format(65536)).isEqualTo("64 KiB");
        assertThat(ByteSizes.format(2L << 20)).isEqualTo("2 MiB");
        assertThat(ByteSizes.format(1536L << 20)).isEqualTo("1.5 GiB");
        assertThat(ByteSizes.format(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    void parsesNumbersWithBinarySuffixes() {
        assertThat(ByteSizes.parse("4096")).isEqualTo(4096);
        assertThat(ByteSizes.parse("64K")).isEqualTo(65536);
        assertThat(ByteSizes.parse("4MiB")).isEqualTo(4L << 20);
        assertThat(ByteSizes.parse("1g")).isEqualTo(1L << 30);
    }

    @Test
    void refusesTextThatIsNotASize() {
        assertThatThrownBy(() -> ByteSizes.parse("lots")).hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> ByteSizes.parse("4X")).hasMessageContaining("unknown unit 'X'");
        assertThatThrownBy(() -> ByteSizes.parse("99999999999T")).hasMessageContaining("too large");
        assertThatThrownBy(() -> ByteSizes.parse("99999999999999999999")).hasMessageContaining("too large");
    }
}
