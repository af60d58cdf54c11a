package org.openslx.netboot.stage3.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openslx.netboot.stage3.Golden;
import org.openslx.netboot.stage3.cmdline.ServerAddress;

class SlxConfigReaderTest {
    private static SlxConfig read(String text) {
        return SlxConfigReader.read(ConfigParser.parse("test.config", text));
    }

    @Test
    void everyVariableOfTheSeedExampleMeansWhatTheSeedSays() throws IOException {
        SlxConfig c = read(Files.readString(Golden.RESOURCES.resolve("stage3/config/seed-example.config")));
        assertThat(c.configurationLocation()).isEqualTo(Path.of("/opt/openslx"));
        assertThat(c.dnbd3Servers()).containsExactly(ServerAddress.parse("1.2.3.4"));
        assertThat(c.rid()).isEqualTo(1);
        assertThat(c.imageDevice()).isEqualTo(Path.of("/dev/nbd0"));
        assertThat(c.imageDeviceNote()).hasValueSatisfying(n -> assertThat(n).contains("/dev/dnbd0"));
        assertThat(c.image()).isEqualTo("packer.ubuntu1604.qcow2");
        assertThat(c.systemPartitionIdentifier()).contains("SLX_SYS");
        assertThat(c.systemPartitionPreparationScript()).isEmpty();
        assertThat(c.writableDeviceIdentifier()).contains("OpenSLX-ID44");
        assertThat(c.writableDeviceTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.filesystemCreateCommand()).containsExactly("mkfs.ext4");
        assertThat(c.filesystemCheckCommand()).containsExactly("fsck.ext4");
        assertThat(c.maximumCowFileSizeMb()).isEqualTo(2000);
        assertThat(c.cowFilePath()).isEmpty();
        assertThat(c.persistent()).isFalse();
        assertThat(c.generateFstabScript()).isEmpty();
        assertThat(c.ramdiskSizeKb()).isEqualTo(1_000_000);
        assertThat(c.mountRootOptions()).containsExactly("-o", "subvol=@");
        assertThat(c.logFilePath()).contains(Path.of("/var/log/openslx"));
        assertThat(c.otherVariables()).isEmpty();
    }

    @Test
    void onlyServersAndImageAreRequiredEverythingElseHasADefault() {
        SlxConfig c = read("SLX_DNBD3_SERVERS=10.0.0.1\nSLX_DNBD3_IMAGE=img.qcow2\n");
        assertThat(c.rid()).isZero();
        assertThat(c.imageDevice()).isEqualTo(Path.of("/dev/nbd0"));
        assertThat(c.imageDeviceNote()).isEmpty();
        assertThat(c.systemPartitionIdentifier()).isEmpty();
        assertThat(c.writableDeviceIdentifier()).isEmpty();
        assertThat(c.writableDeviceTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.ramdiskSizeKb()).isEqualTo(1_000_000);
        assertThat(c.persistent()).isFalse();
        assertThat(c.configurationLocation()).isEqualTo(Path.of("/opt/openslx"));
    }

    @Test
    void unknownSlxVariablesAreKeptUnchanged() {
        SlxConfig c = read("SLX_DNBD3_SERVERS=a\nSLX_DNBD3_IMAGE=i\nSLX_VM_NFS='//srv/share'\nOTHER=x\n");
        assertThat(c.otherVariables()).containsEntry("SLX_VM_NFS", "//srv/share").containsEntry("OTHER", "x");
    }

    @Test
    void serversMayBeSeparatedByBlanksOrCommasAndCarryPorts() {
        SlxConfig c = read("SLX_DNBD3_SERVERS='10.0.0.1, 10.0.0.2:5004'\nSLX_DNBD3_FALLBACK='[2001:db8::1]'\n"
                + "SLX_DNBD3_IMAGE=i\n");
        assertThat(c.allServers()).extracting(ServerAddress::toString)
                .containsExactly("10.0.0.1", "10.0.0.2:5004", "[2001:db8::1]");
    }

    @Test
    void commandValuesAreSplitIntoWordsWithoutAShell() {
        SlxConfig c = read("SLX_DNBD3_SERVERS=a\nSLX_DNBD3_IMAGE=i\n"
                + "SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CREATE_COMMAND='mkfs.ext4 -q -L \"OpenSLX ID44\"'\n");
        assertThat(c.filesystemCreateCommand()).containsExactly("mkfs.ext4", "-q", "-L", "OpenSLX ID44");
    }

    @Test
    void badValuesAreAllReportedWithVariableAndLine() {
        String text = String.join("\n",
                "SLX_DNBD3_IMAGE='/etc/passwd'",
                "SLX_DNBD3_RID='latest'",
                "SLX_RAMDISK_SIZE_IN_KB=12",
                "SLX_WRITABLE_DEVICE_PERSISTENT=maybe",
                "SLX_DNBD3_DEVICE=/dev/sda",
                "SLX_LOG_FILE_PATH=var/log",
                "SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH=../../etc/shadow",
                "");
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SLX_DNBD3_SERVERS is not set")
                .hasMessageContaining("SLX_DNBD3_IMAGE (test.config line 1): '/etc/passwd' is not an image name")
                .hasMessageContaining("SLX_DNBD3_RID (test.config line 2): 'latest' is not a whole number")
                .hasMessageContaining("SLX_RAMDISK_SIZE_IN_KB (test.config line 3): 12 is not between 1024")
                .hasMessageContaining("SLX_WRITABLE_DEVICE_PERSISTENT (test.config line 4): 'maybe' is neither yes nor no")
                .hasMessageContaining("SLX_DNBD3_DEVICE (test.config line 5): '/dev/sda' is not /dev/nbdN")
                .hasMessageContaining("SLX_LOG_FILE_PATH (test.config line 6): 'var/log' is not an absolute path")
                .hasMessageContaining("SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH (test.config line 7)");
    }

    @Test
    void ridAboveTheProtocolsSixteenBitsIsRefused() {
        assertThatThrownBy(() -> read("SLX_DNBD3_SERVERS=a\nSLX_DNBD3_IMAGE=i\nSLX_DNBD3_RID=70000\n"))
                .hasMessageContaining("70000 is not between 0 and 65535");
    }

    @Test
    void emptyValueMeansTheDefault() {
        SlxConfig c = read("SLX_DNBD3_SERVERS=a\nSLX_DNBD3_IMAGE=i\nSLX_RAMDISK_SIZE_IN_KB=''\n");
        assertThat(c.ramdiskSizeKb()).isEqualTo(1_000_000);
        // The seed's 18 variables plus SLX_DNBD3_FALLBACK from boot-facts.
        assertThat(List.of(SlxVariable.values())).hasSize(19);
    }
}
