package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderInitTest {
    @TempDir
    Path tmp;

    @Test
    void initLaysOutStoreBaseConfigAndReadme() throws Exception {
        Path data = tmp.resolve("srv");
        FolderInit.Result result = FolderInit.run(data, "default", "10.0.2.2:5003");
        assertThat(data.resolve("images")).isDirectory();
        assertThat(data.resolve("boot/default/config.d")).isDirectory();
        assertThat(data.resolve("boot/default/config")).isRegularFile();
        assertThat(data.resolve("boot/default/cmdline")).isRegularFile();
        assertThat(data.resolve("README")).content().contains("slx server --data " + data);
        assertThat(result.created()).contains("images/", "boot/default/config", "boot/default/cmdline");
        assertThat(KernelArguments.read(data.resolve("boot/default/cmdline"))).isEmpty();
    }

    /** bash is the reader stage4 scripts use: the config must source cleanly and mean what it says. */
    @Test
    void theDefaultConfigSourcesInBashWithTheServerAndTheSeedsVariables() throws Exception {
        Path data = tmp.resolve("srv");
        FolderInit.run(data, "lab", "10.0.2.2:5003");
        Process bash = new ProcessBuilder("bash", "-euc",
                ". \"$1\"; echo \"$SLX_DNBD3_SERVERS|$SLX_DNBD3_IMAGE|$SLX_DNBD3_RID|$SLX_SYSTEM_PARTITION_IDENTIFIER"
                        + "|$SLX_WRITABLE_DEVICE_IDENTIFIER|$SLX_RAMDISK_SIZE_IN_KB\"",
                "bash", data.resolve("boot/lab/config").toString()).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("10.0.2.2:5003|stage4.qcow2|1|SLX_SYS|OpenSLX-ID44|1000000\n");
    }

    @Test
    void initAgainKeepsEveryExistingFile() throws Exception {
        Path data = tmp.resolve("srv");
        FolderInit.run(data, "default", "192.0.2.1");
        Files.writeString(data.resolve("boot/default/config"), "SLX_DNBD3_RID='9'\n");
        FolderInit.Result again = FolderInit.run(data, "default", "192.0.2.2");
        assertThat(again.created()).isEmpty();
        assertThat(again.kept()).contains("boot/default/config", "README", "images/");
        assertThat(data.resolve("boot/default/config")).hasContent("SLX_DNBD3_RID='9'");
    }

    @Test
    void aBaseNameWithTraversalIsRefused() {
        assertThatThrownBy(() -> FolderInit.run(tmp.resolve("srv"), "../x", "h"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boot base '../x'");
        assertThat(tmp.resolve("x")).doesNotExist();
    }
}
