package org.openslx.netboot.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderWarmupTest {
    @TempDir
    Path dir;

    @Test
    void theWarmUpImageIsAnEmptyZstdQcow2ThatQemuImgAccepts() throws Exception {
        assumeTrue(Tool.exists("qemu-img"), "qemu-img is installed by scripts/install-deps.sh");
        Path file = dir.resolve("warmup.qcow2");
        ByteBuffer image = DecoderWarmup.emptyZstdImage();
        Files.write(file, image.array());
        String info = Tool.of("qemu-img", "info", "--output=json", file.toString()).run();
        assertThat(info).contains("\"virtual-size\": 4096").contains("\"compression-type\": \"zstd\"");
        Tool.of("qemu-img", "check", file.toString()).run(); // throws when qemu-img finds errors
        assertThat(Tool.of("qemu-io", "-r", "-c", "read -P 0 0 4096", file.toString()).run())
                .contains("read 4096/4096 bytes");
    }

    @Test
    void theWarmUpOpensAndReadsTheImageWithOurDecoder() throws Exception {
        DecoderWarmup.run(); // throws if our qcow2 reader refused the image
    }
}
