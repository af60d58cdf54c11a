package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/** {@code image add} on a store that slx server is serving over dnbd3. */
class ImageAddWhileServingTest {
    @TempDir
    Path tmp;

    @Test
    void aClientReadingAnOlderRevisionKeepsGettingItsDataWhileANewOneIsAdded() throws Exception {
        Path data = tmp.resolve("srv");
        FolderInit.run(data, "default", "127.0.0.1");
        StoreFiles store = new StoreFiles(data.resolve("images"));
        Path first = QemuImg.createSpanningCrcBlocks(tmp.resolve("first.qcow2"), 0x11);
        Path second = QemuImg.createSpanningCrcBlocks(tmp.resolve("second.qcow2"), 0x55);
        ImageImport.add(store, first, "stage4.qcow2", 0, (phase, done, total) -> { });
        byte[] expected = Files.readAllBytes(first);

        try (BootServer server = BootServer.start(new BootServer.Options(data,
                List.of(new InetSocketAddress("127.0.0.1", 0)), null), Dnbd3Services::forStore)) {
            InetSocketAddress address = server.boundAddresses().getFirst();
            try (Dnbd3Reader reader = new Dnbd3Reader(address, "stage4.qcow2", 0)) {
                assertThat(reader.selected().rid()).isEqualTo(1);
                assertThat(reader.selected().imageSize()).isEqualTo(Dnbd3Protocol.virtualSize(expected.length));
                Random random = new Random(7);
                List<Long> wrong = new ArrayList<>();
                // Every progress report of the add is a moment to read a random 64 KiB of revision 1.
                StoredImage added = ImageImport.add(store, second, "stage4.qcow2", 0, (phase, done, total) -> {
                    int length = 65536;
                    long offset = random.nextLong(expected.length - length);
                    try {
                        if (!Arrays.equals(reader.read(offset, length),
                                Arrays.copyOfRange(expected, (int) offset, (int) offset + length))) {
                            wrong.add(offset);
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertThat(added.rid()).isEqualTo(2);
                assertThat(wrong).as("offsets where revision 1 read wrong").isEmpty();
                assertThat(reader.read(0, expected.length)).isEqualTo(expected);
            }
            // A new client asking for the latest gets the new revision, byte for byte.
            byte[] expectedSecond = Files.readAllBytes(second);
            try (Dnbd3Reader latest = new Dnbd3Reader(address, "stage4.qcow2", 0)) {
                assertThat(latest.selected().rid()).isEqualTo(2);
                assertThat(latest.read(0, expectedSecond.length)).isEqualTo(expectedSecond);
            }
        }
        assertThat(Files.mismatch(first, store.fileOf("stage4.qcow2", 1))).isEqualTo(-1);
    }
}
