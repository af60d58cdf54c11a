package org.openslx.netboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.stage3.Golden;
import picocli.CommandLine;

/** {@code slx stage3 ...} as an admin and the dracut module call it. */
class Stage3CommandTest {
    private static final Path PLANS = Golden.RESOURCES.resolve("stage3/plans");
    private static final String SEED = Golden.RESOURCES.resolve("stage3/config/seed-example.config").toString();
    private static final String CMDLINE = "slxbase=boot/default slxsrv=10.4.9.1 BOOTIF=01-52-54-00-12-34-56"
            + " ip=10.4.9.77:10.4.9.1:10.4.9.254:255.255.255.0:10.4.9.2";

    @TempDir
    Path dir;

    record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome slx(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Errors::handle);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @TestFactory
    Stream<DynamicTest> planOfEveryExampleMachineMatchesItsGoldenFile() throws IOException {
        try (Stream<Path> cases = Files.list(PLANS)) {
            return cases.sorted().toList().stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
                Outcome outcome = slx("stage3", "plan", "--cmdline", Files.readString(c.resolve("cmdline")).strip(),
                        "--config", c.resolve("config").toString(), "--machine", c.resolve("machine.json").toString());
                assertThat(outcome.err()).isEmpty();
                assertThat(outcome.exitCode()).isZero();
                Golden.check(c.resolve("plan.golden"), outcome.out());
            }));
        }
    }

    @Test
    void planAsJsonMatchesItsGoldenFile() throws IOException {
        Path c = PLANS.resolve("id44-whole-appearing-late");
        Outcome outcome = slx("stage3", "plan", "--cmdline", CMDLINE, "--config", c.resolve("config").toString(),
                "--machine", c.resolve("machine.json").toString(), "--json");
        assertThat(outcome.exitCode()).isZero();
        Golden.check(c.resolve("plan.json.golden"), outcome.out());
    }

    @Test
    void missingConfigFileIsOneClearSentence() {
        Outcome outcome = slx("stage3", "plan", "--cmdline", CMDLINE, "--config", dir.resolve("nope").toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo("slx stage3 plan: config file " + dir.resolve("nope")
                + " does not exist or is not readable");
    }

    @Test
    void configErrorsNameTheLine() throws IOException {
        Path config = dir.resolve("config");
        Files.writeString(config, "SLX_DNBD3_SERVERS=1.2.3.4\nSLX_DNBD3_IMAGE=\"$(curl evil)\"\n");
        Outcome outcome = slx("stage3", "plan", "--cmdline", CMDLINE, "--config", config.toString(),
                "--machine", PLANS.resolve("diskless-ram/machine.json").toString());
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("line 2: $(...) runs a command, which needs a shell");
    }

    @Test
    void cmdlineWritesNetworkdFilesAndAnEnvFileAShellReads() throws Exception {
        Path networkd = dir.resolve("network");
        Path env = dir.resolve("pxe.env");
        Outcome outcome = slx("stage3", "cmdline", "--cmdline", CMDLINE, "--networkd-dir", networkd.toString(),
                "--env-file", env.toString(), "--quiet");
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.out()).isEmpty();
        try (Stream<Path> files = Files.list(networkd)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("10-slx-boot.network", "10-slx-boot0.link");
        }
        assertThat(Files.readString(networkd.resolve("10-slx-boot.network"))).doesNotContain("KeepConfiguration");
        Process sh = new ProcessBuilder("/bin/sh", "-c", ". \"$1\"; printf '%s|%s' \"$SLX_PXE_CLIENT_IP\" \"$SLX_PXE_DNS\"",
                "sh", env.toString()).start();
        assertThat(new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("10.4.9.77|10.4.9.2");
        assertThat(sh.waitFor()).isZero();

        Path dracut = dir.resolve("cmdline");
        slx("stage3", "cmdline", "--cmdline", CMDLINE + " ip=dhcp", "--networkd-dir", networkd.toString(), "--stage4",
                "--dracut-cmdline", dracut.toString(), "--quiet");
        assertThat(Files.readString(dracut))
                .isEqualTo("slxbase=boot/default slxsrv=10.4.9.1 BOOTIF=01-52-54-00-12-34-56 ip=dhcp\n");
        assertThat(Files.readString(networkd.resolve("10-slx-boot.network"))).contains("KeepConfiguration=static");
    }

    @Test
    void malformedCommandLineIsAUsageError() {
        Outcome outcome = slx("stage3", "cmdline", "--cmdline", "ip=10.0.0.300:1.2.3.4:1.2.3.4:255.0.0.0");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("field 1 (client address) '10.0.0.300' is not an IPv4 or IPv6 address");
    }

    @Test
    void fetchConfigAndPlanFromAUrlUseTheBootServer() throws Exception {
        byte[] config = Files.readAllBytes(Path.of(SEED));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                if (exchange.getRequestURI().getPath().equals("/boot/default/config")) {
                    exchange.sendResponseHeaders(200, config.length);
                    out.write(config);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
        try {
            String srv = "127.0.0.1:" + server.getAddress().getPort();
            Path saved = dir.resolve("etc/openslx");
            Outcome fetched = slx("stage3", "fetch-config", "--cmdline", "slxsrv=" + srv + " slxbase=boot/default",
                    "--output", saved.toString(), "--budget", "5");
            assertThat(fetched.exitCode()).as(fetched.err()).isZero();
            assertThat(Files.readAllBytes(saved)).isEqualTo(config);

            Outcome plan = slx("stage3", "plan", "--cmdline", CMDLINE, "--config", "http://" + srv + "/boot/default/config",
                    "--machine", PLANS.resolve("diskless-ram/machine.json").toString());
            assertThat(plan.exitCode()).isZero();
            assertThat(plan.out()).contains("image          packer.ubuntu1604.qcow2, revision 1");

            Outcome missing = slx("stage3", "fetch-config", "--cmdline", "slxsrv=" + srv + " slxbase=boot/other",
                    "--output", saved.toString(), "--budget", "5");
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).contains("no boot server has a config at http://" + srv + "/boot/other/config");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void runNeedsToKnowHowTheImageGetsAttached() {
        Outcome outcome = slx("stage3", "run", "--cmdline", CMDLINE, "--config", SEED);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("give exactly one of --attach-command COMMAND and --image-attached");
    }
}
