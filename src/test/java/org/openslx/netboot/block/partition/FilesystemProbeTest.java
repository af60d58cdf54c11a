package org.openslx.netboot.block.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openslx.netboot.block.ExternalCommand.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.FileSource;

/** Filesystems made by mkfs.*, recognised with the type, label and UUID blkid reports. */
class FilesystemProbeTest {
    @TempDir
    Path dir;

    @Test
    void ext4LabelTypeAndUuidMatchBlkid() throws IOException {
        assertMatchesBlkid(TestDisks.ext4(dir, "ext4.img", "my root", 8));
    }

    @Test
    void ext2AndExt3AreToldApartFromExt4() throws IOException {
        Path ext2 = dir.resolve("ext2.img");
        run("truncate", "-s", "4M", ext2.toString());
        run("mkfs.ext2", "-q", "-F", "-L", "two", ext2.toString());
        Path ext3 = dir.resolve("ext3.img");
        run("truncate", "-s", "8M", ext3.toString());
        run("mkfs.ext3", "-q", "-F", "-L", "three", ext3.toString());
        assertMatchesBlkid(ext2);
        assertMatchesBlkid(ext3);
    }

    @Test
    void btrfsLabelTypeAndUuidMatchBlkid() throws IOException {
        assertMatchesBlkid(TestDisks.btrfs(dir, "btrfs.img", "data volume"));
    }

    @Test
    void xfsLabelTypeAndUuidMatchBlkid() throws IOException {
        Path xfs = TestDisks.xfs(dir, "xfs.img", "xfsdata");
        Assumptions.assumeTrue(xfs != null, "mkfs.xfs is not installed (xfsprogs)");
        assertMatchesBlkid(xfs);
    }

    @Test
    void unknownContentIsNoFilesystem() throws IOException {
        try (BlockSource zeros = new org.openslx.netboot.block.BytesSource(new byte[1 << 20], "zeros")) {
            assertThat(FilesystemProbe.probe(zeros)).isEmpty();
        }
        try (BlockSource tiny = new org.openslx.netboot.block.BytesSource(new byte[100], "tiny")) {
            assertThat(FilesystemProbe.probe(tiny)).isEmpty();
        }
    }

    private static void assertMatchesBlkid(Path image) throws IOException {
        Map<String, String> blkid = new HashMap<>();
        for (String line : run("blkid", "-p", "-o", "export", image.toString()).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                blkid.put(line.substring(0, eq), line.substring(eq + 1).replace("\\ ", " "));
            }
        }
        try (BlockSource source = FileSource.openReadOnly(image)) {
            Filesystem fs = FilesystemProbe.probe(source).orElseThrow();
            assertThat(fs.type()).isEqualTo(blkid.get("TYPE"));
            assertThat(fs.label()).isEqualTo(blkid.get("LABEL"));
            assertThat(fs.uuid()).isEqualTo(blkid.get("UUID"));
        }
    }
}
