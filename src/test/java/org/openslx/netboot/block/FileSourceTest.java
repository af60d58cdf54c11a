package org.openslx.netboot.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {
    @TempDir
    Path dir;

    @Test
    void readsTheBytesAtAnOffset() throws IOException {
        Path file = dir.resolve("disk.img");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        try (FileSource source = FileSource.openReadOnly(file)) {
            ByteBuffer buffer = ByteBuffer.allocate(3);
            source.read(buffer, 4);
            assertThat(buffer.array()).containsExactly(5, 6, 7);
            assertThat(source.size()).isEqualTo(8);
        }
    }

    @Test
    void readPastTheEndNamesTheSourceAndRange() throws IOException {
        Path file = dir.resolve("disk.img");
        Files.write(file, new byte[8]);
        try (FileSource source = FileSource.openReadOnly(file)) {
            assertThatThrownBy(() -> source.read(ByteBuffer.allocate(4), 6))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("disk.img")
                    .hasMessageContaining("6+4");
        }
    }

    @Test
    void rangesNearLongMaxValueAreOutsideWithoutOverflow() {
        assertThat(BlockSource.inside(0, 8, 8)).isTrue();
        assertThat(BlockSource.inside(8, 0, 8)).isTrue();
        assertThat(BlockSource.inside(6, 4, 8)).isFalse();
        assertThat(BlockSource.inside(Long.MAX_VALUE, 2, 8)).isFalse();
        assertThat(BlockSource.inside(4, Long.MAX_VALUE, 8)).isFalse();
        assertThat(BlockSource.inside(-1, 1, 8)).isFalse();
        assertThat(BlockSource.inside(0, -1, 8)).isFalse();
    }

    @Test
    void readOnlySourceRefusesWrites() throws IOException {
        Path file = dir.resolve("disk.img");
        Files.write(file, new byte[8]);
        try (FileSource source = FileSource.openReadOnly(file)) {
            assertThat(source.canWrite()).isFalse();
            assertThat(source.canMultiConn()).isTrue();
            assertThatThrownBy(() -> source.write(ByteBuffer.allocate(1), 0))
                    .isInstanceOf(ReadOnlySourceException.class);
        }
    }
}
