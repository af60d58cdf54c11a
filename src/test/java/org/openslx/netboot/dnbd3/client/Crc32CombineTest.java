package org.openslx.netboot.dnbd3.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.zip.CRC32;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class Crc32CombineTest {

    @Property(tries = 300)
    void combiningTheCrcsOfTwoPiecesGivesTheCrcOfTheWhole(@ForAll @Size(max = 3000) byte[] data,
            @ForAll @IntRange(min = 0, max = 3000) int cut) {
        int split = Math.min(cut, data.length);
        int whole = crc(data, 0, data.length);
        int left = crc(data, 0, split);
        int right = crc(data, split, data.length - split);
        assertThat(Crc32Combine.combine(left, right, data.length - split)).isEqualTo(whole);
    }

    @Property(tries = 20)
    void combiningWorksForMegabytePieces(@ForAll @IntRange(min = 1, max = 4 << 20) int split) {
        byte[] data = TestImages.random(4 << 20, split);
        int left = crc(data, 0, split);
        int right = crc(data, split, data.length - split);
        assertThat(Crc32Combine.combine(left, right, data.length - split)).isEqualTo(crc(data, 0, data.length));
    }

    private static int crc(byte[] data, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }
}
