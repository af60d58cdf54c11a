package org.openslx.netboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.server.BootServer;
import org.openslx.netboot.server.Dnbd3Service;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class ImageStoreCommandsTest {
    @TempDir
    Path tmp;

    /** Stands in for {@code slx image}, whose class another part owns; the lead registers add/list there. */
    @Command(name = "image", subcommands = {ImageStoreCommands.Add.class, ImageStoreCommands.ListImages.class})
    static final class Image {
    }

    record Run(int exit, String out, String err) {
    }

    private static Run slx(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler(Errors::handle);
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path qcow2(String name) throws Exception {
        Path file = tmp.resolve(name);
        Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", file.toString(), "32M").start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return file;
    }

    @Test
    void imageAddThenListShowsRevisionsAndAsksTheServerForClients() throws Exception {
        Path data = tmp.resolve("srv");
        assertThat(slx(new ServerCommand(), "init", data.toString(), "--public-address", "192.0.2.1").exit()).isZero();
        Path image = qcow2("a.qcow2");

        Run first = slx(new Image(), "add", image.toString(), "--name", "stage4.qcow2", "--data", data.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("added stage4.qcow2 revision 1 (");
        assertThat(slx(new Image(), "add", image.toString(), "--name", "stage4.qcow2",
                "--store", data.resolve("images").toString()).out()).startsWith("added stage4.qcow2 revision 2 (");

        Run taken = slx(new Image(), "add", image.toString(), "--name", "stage4.qcow2", "--rid", "2", "--data", data.toString());
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.err()).contains("stage4.qcow2 revision 2 already exists");

        Run alone = slx(new Image(), "list", "--data", data.toString(), "--server", "127.0.0.1:1");
        assertThat(alone.out()).containsPattern("(?m)^NAME +RID +SIZE +CRC +CLIENTS$")
                .containsPattern("(?m)^stage4.qcow2 +1 +[0-9.]+ KiB +yes +\\?$");
        assertThat(alone.err()).contains("client counts unknown: no slx server answered at http://127.0.0.1:1/api/status");

        try (BootServer server = BootServer.start(new BootServer.Options(data,
                List.of(new InetSocketAddress("127.0.0.1", 0)), null), folder -> Dnbd3Service.none())) {
            String url = "http://127.0.0.1:" + server.boundAddresses().getFirst().getPort();
            Run asked = slx(new Image(), "list", "--data", data.toString(), "--server", url);
            assertThat(asked.out()).containsPattern("(?m)^stage4.qcow2 +2 +[0-9.]+ KiB +yes +0$");
            assertThat(asked.err()).isEmpty();
            Path otherStore = tmp.resolve("other");
            java.nio.file.Files.createDirectories(otherStore);
            java.nio.file.Files.copy(image, otherStore.resolve("x.r1"));
            Run other = slx(new Image(), "list", "--store", otherStore.toString(), "--server", url);
            assertThat(other.out()).containsPattern("(?m)^x +1 .* +\\?$");
            assertThat(other.err()).contains("serves another store (" + data.resolve("images") + ")");
            Run empty = slx(new Image(), "list", "--store", tmp.resolve("empty").toString(), "--server", url);
            assertThat(empty.out()).contains("no images in " + tmp.resolve("empty"));
        }
    }

    @Test
    void imageAddNeedsExactlyOneStoreLocation() throws Exception {
        Path image = qcow2("a.qcow2");
        Run none = slx(new Image(), "add", image.toString(), "--name", "x");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("--data").contains("--store");
        Run both = slx(new Image(), "add", image.toString(), "--name", "x", "--data", "a", "--store", "b");
        assertThat(both.exit()).isEqualTo(2);
    }

    @Test
    void serverWithoutDataSaysHowToMakeOne() {
        Run run = slx(new ServerCommand());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--data DIR is required (lay a folder out with: slx server init DIR)");
    }

    @Test
    void serverInitPrintsNextSteps() {
        Run run = slx(new ServerCommand(), "init", tmp.resolve("srv").toString(), "--base", "lab", "--public-address", "10.0.0.5");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("created  boot/lab/config")
                .contains("http://10.0.0.5:5003/lab/boot.ipxe")
                .contains("slx image add IMAGE.qcow2 --name stage4.qcow2 --data " + tmp.resolve("srv"));
        assertThat(new String(run.out().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).doesNotContain("null");
    }
}
