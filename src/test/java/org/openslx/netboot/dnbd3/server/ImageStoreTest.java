package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.dnbd3.protocol.CrcList;

class ImageStoreTest {
    @TempDir
    Path dir;
    Path base;
    Path outside;
    ImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        base = Files.createDirectories(dir.resolve("base"));
        outside = Files.createDirectories(dir.resolve("outside"));
        store = ImageStore.open(base);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private Path image(String relative, int size) throws IOException {
        Path file = base.resolve(relative);
        Files.createDirectories(file.getParent());
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + relative.length());
        }
        return Files.write(file, data);
    }

    private Optional<Integer> ridOf(String name, int rid) {
        Optional<Image> image = store.acquire(name, rid);
        image.ifPresent(Image::release);
        return image.map(Image::rid);
    }

    @Test
    void exactRevisionIsFoundWithSizesRoundedTo4KiB() throws IOException {
        image("rz/win.qcow2.r7", 5000);
        Image image = store.acquire("rz/win.qcow2", 7).orElseThrow();
        assertThat(image.name()).isEqualTo("rz/win.qcow2");
        assertThat(image.realSize()).isEqualTo(5000);
        assertThat(image.virtualSize()).isEqualTo(8192);
        assertThat(image.users()).isEqualTo(1);
        image.release();
        assertThat(ridOf("rz/win.qcow2", 8)).isEmpty();
    }

    @Test
    void ridZeroSelectsTheLatestAndNewRevisionsAppearWithoutRescan() throws IOException {
        image("img.r2", 4096);
        image("img.r10", 4096);
        image("img.r9", 4096);
        image("imgother.r50", 4096);
        assertThat(ridOf("img", 0)).contains(10);
        image("img.r11", 4096);
        assertThat(ridOf("img", 0)).contains(11);
        assertThat(store.latestRid("img").getAsInt()).isEqualTo(11);
    }

    @Test
    void filesThatAreNoRevisionAreNotImages() throws IOException {
        image("img.r0", 4096);
        image("img.r01", 4096);
        image("img.r70000", 4096);
        image("img.rx", 4096);
        assertThat(ridOf("img", 0)).isEmpty();
    }

    @Test
    void emptyFilesAreNotServed() throws IOException {
        image("empty.r1", 0);
        assertThat(ridOf("empty", 1)).isEmpty();
    }

    @Test
    void symlinkLeadingOutsideTheBaseIsRefusedButOneInsideIsFine() throws IOException {
        Files.write(outside.resolve("secret.r1"), new byte[4096]);
        Files.createSymbolicLink(base.resolve("escape.r1"), outside.resolve("secret.r1"));
        Files.createSymbolicLink(base.resolve("dir"), outside);
        image("real.r1", 4096);
        Files.createSymbolicLink(base.resolve("alias.r1"), base.resolve("real.r1"));
        assertThat(ridOf("escape", 1)).isEmpty();
        assertThat(ridOf("dir/secret", 1)).isEmpty();
        assertThat(ridOf("dir/secret", 0)).isEmpty();
        assertThat(ridOf("../outside/secret", 1)).isEmpty();
        assertThat(ridOf("alias", 1)).contains(1);
    }

    @Test
    void validCrcListIsLoadedAndBadOnesAreIgnored() throws IOException {
        Path file = image("a.r1", 20 << 20);
        Path crc = CrcListWriter.write(file, done -> { });
        assertThat(store.acquire("a", 1).orElseThrow().crcList()).map(CrcList::blockCount).contains(2);

        image("b.r1", 4096);
        Files.write(base.resolve("b.r1.crc"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThat(store.acquire("b", 1).orElseThrow().crcList()).isEmpty();

        image("c.r1", 20 << 20);
        Files.copy(crc, base.resolve("c.r1.crc"));
        byte[] truncated = Files.readAllBytes(crc);
        Files.write(base.resolve("c.r1.crc"), java.util.Arrays.copyOf(truncated, 8));
        assertThat(store.acquire("c", 1).orElseThrow().crcList()).isEmpty();
    }

    @Test
    void incompleteReplicaWithCacheMapIsNotServedButACompleteMapIs() throws IOException {
        image("partial.r1", 3 * 4096);
        Files.write(base.resolve("partial.r1.map"), new byte[] {0b011});
        assertThat(ridOf("partial", 1)).isEmpty();
        image("full.r1", 3 * 4096);
        Files.write(base.resolve("full.r1.map"), new byte[] {0b111});
        assertThat(ridOf("full", 1)).contains(1);
    }

    @Test
    void imageChangedOnDiskIsReloadedAndTheOldFileStaysReadableForItsClient() throws IOException {
        Path file = image("chg.r1", 4096);
        Image old = store.acquire("chg", 1).orElseThrow();
        Files.write(file, new byte[8192]);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        Image fresh = store.acquire("chg", 1).orElseThrow();
        assertThat(fresh).isNotSameAs(old);
        assertThat(fresh.realSize()).isEqualTo(8192);
        assertThat(old.channel().isOpen()).isTrue();
        assertThat(old.channel().read(ByteBuffer.allocate(10), 0)).isEqualTo(10);
        old.release();
        assertThat(old.channel().isOpen()).isFalse();
        fresh.release();
    }

    @Test
    void scanLoadsImagesInSubfoldersAndSkipsHiddenOnes() throws IOException {
        image("x/y/z.img.r3", 4096);
        image(".hidden/h.r1", 4096);
        image("x/.h.r1", 4096);
        image("top.r1", 4096);
        assertThat(store.scan()).isEqualTo(2);
        assertThat(store.images()).extracting(Image::toString).containsExactly("top:1", "x/y/z.img:3");
    }
}
