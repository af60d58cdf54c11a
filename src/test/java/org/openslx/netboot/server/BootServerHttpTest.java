package org.openslx.netboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot server's HTTP side against the real curl. */
class BootServerHttpTest {
    private static final String UUID = "4c4c4544-0033-5a10-8052-b4c04f4d5332";

    @TempDir
    Path tmp;

    Path data;
    Path outside;
    byte[] kernel;
    BootServer server;
    String url;

    @BeforeEach
    void start() throws Exception {
        data = tmp.resolve("data");
        outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret"), "SECRET OUTSIDE THE DATA FOLDER\n");
        FolderInit.run(data, "default", "192.0.2.1");
        Path base = data.resolve("boot/default");
        kernel = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (byte) (i * 31 + (i >> 11));
        }
        Files.write(base.resolve("kernel"), kernel);
        Files.writeString(base.resolve("initrd"), "initrd bytes");
        Files.writeString(base.resolve("config.d/" + UUID), "SLX_DNBD3_RID='7'\n");
        Files.write(base.resolve("config.tgz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        Files.write(base.resolve("config.d/" + UUID + ".tgz"), new byte[] {0x1f, (byte) 0x8b, 9, 9});
        server = BootServer.start(new BootServer.Options(data, List.of(new InetSocketAddress("127.0.0.1", 0)), null),
                folder -> Dnbd3Service.none());
        url = "http://127.0.0.1:" + server.boundAddresses().getFirst().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Curl.Answer get(String path, String... arguments) throws Exception {
        return Curl.get(tmp, url + path, arguments);
    }

    @Test
    void configIsTheBaseConfigFileAndNotCached() throws Exception {
        Curl.Answer answer = get("/default/config");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(Files.readAllBytes(data.resolve("boot/default/config")));
        assertThat(answer.text()).contains("SLX_DNBD3_SERVERS='192.0.2.1'");
        assertThat(answer.headers()).containsIgnoringCase("Cache-Control: no-store");
    }

    @Test
    void configWithTheUuidOfAMachineFileServesThatFileInstead() throws Exception {
        assertThat(get("/default/config?uuid=" + UUID).text()).isEqualTo("SLX_DNBD3_RID='7'\n");
        // SMBIOS tools print upper case; files are named in lower case.
        assertThat(get("/default/config?uuid=" + UUID.toUpperCase()).text()).isEqualTo("SLX_DNBD3_RID='7'\n");
        assertThat(get("/default/config?uuid=11111111-2222-3333-4444-555555555555").text())
                .contains("SLX_DNBD3_SERVERS='192.0.2.1'");
    }

    @Test
    void malformedUuidsNeverBecomeFileNamesAndGetTheBaseConfig() throws Exception {
        Files.writeString(data.resolve("boot/default/config.d/evil"), "NOT FOR ANYONE\n");
        for (String uuid : List.of("evil", "../../../outside/secret", "..%2F..%2F..%2Foutside%2Fsecret", "%00", "")) {
            Curl.Answer answer = get("/default/config?uuid=" + uuid);
            assertThat(answer.status()).as(uuid).isEqualTo(200);
            assertThat(answer.text()).as(uuid).contains("SLX_DNBD3_SERVERS='192.0.2.1'").doesNotContain("SECRET", "NOT FOR");
        }
    }

    @Test
    void configTgzIsServedWithItsPerMachineVariant() throws Exception {
        Curl.Answer plain = get("/default/config.tgz");
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.body()).containsExactly(0x1f, 0x8b, 1, 2, 3);
        assertThat(plain.headers()).containsIgnoringCase("Content-Type: application/gzip");
        assertThat(get("/default/config.tgz?uuid=" + UUID).body()).containsExactly(0x1f, 0x8b, 9, 9);
    }

    @Test
    void configEditsApplyWithoutRestart() throws Exception {
        Files.writeString(data.resolve("boot/default/config"), "SLX_DNBD3_RID='2'\n");
        assertThat(get("/default/config").text()).isEqualTo("SLX_DNBD3_RID='2'\n");
        Files.writeString(data.resolve("boot/default/config"), "SLX_DNBD3_RID='3'\n");
        assertThat(get("/default/config").text()).isEqualTo("SLX_DNBD3_RID='3'\n");
    }

    @Test
    void kernelIsServedWholeAndByRange() throws Exception {
        Curl.Answer whole = get("/default/kernel");
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(kernel);
        Curl.Answer range = get("/default/kernel", "-r", "1048570-2097200");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.headers()).containsIgnoringCase("Content-Range: bytes 1048570-2097200/" + kernel.length);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(kernel, 1048570, 2097201));
        Curl.Answer tail = get("/default/kernel", "-r", "-100");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(kernel, kernel.length - 100, kernel.length));
        assertThat(get("/default/kernel", "-r", kernel.length + "-").status()).isEqualTo(416);
        assertThat(get("/default/initrd").text()).isEqualTo("initrd bytes");
    }

    @Test
    void headAnswersTheSizeWithoutTheBody() throws Exception {
        Curl.Answer head = get("/default/kernel", "-I");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headers()).containsIgnoringCase("Content-Length: " + kernel.length);
    }

    @Test
    void unknownPathsAndBasesAre404() throws Exception {
        for (String path : List.of("/nothing", "/default/nothing", "/other/config", "/default/config.d/" + UUID,
                "/default/cmdline", "/boot/default/config", "/images", "/default", "/favicon.ico")) {
            assertThat(get(path).status()).as(path).isEqualTo(404);
        }
        Files.delete(data.resolve("boot/default/initrd"));
        assertThat(get("/default/initrd").status()).isEqualTo(404);
    }

    @Test
    void traversalAttemptsAreRefused() throws Exception {
        for (String path : List.of("/../outside/secret", "/default/../../outside/secret", "/default/..",
                "/%2e%2e/outside/secret", "/default/%2e%2e/%2e%2e/outside/secret", "/default/%2E%2E%2F%2E%2E%2Foutside%2Fsecret",
                "/..%2foutside%2fsecret", "/default/.%2e/config", "/default//config", "/default/./config",
                "/default/config%00", "/default%5c..%5c..%5coutside%5csecret", "/default/kernel%0a")) {
            Curl.Answer answer = get(path);
            assertThat(answer.status()).as(path).isEqualTo(400);
            assertThat(answer.text()).as(path).doesNotContain("SECRET");
        }
    }

    @Test
    void symlinksPointingOutOfTheFolderAreRefused() throws Exception {
        Path base = data.resolve("boot/default");
        Files.delete(base.resolve("kernel"));
        Files.createSymbolicLink(base.resolve("kernel"), outside.resolve("secret"));
        Files.createSymbolicLink(base.resolve("config.d/" + "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"), outside.resolve("secret"));
        Files.createSymbolicLink(data.resolve("boot/escape"), outside);
        Files.copy(outside.resolve("secret"), outside.resolve("config"));
        Files.createSymbolicLink(data.resolve("boot/relative"), Path.of("../../outside"));

        assertThat(get("/default/kernel").status()).isEqualTo(403);
        assertThat(get("/escape/config").status()).isEqualTo(403);
        assertThat(get("/relative/config").status()).isEqualTo(403);
        Curl.Answer machine = get("/default/config?uuid=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        assertThat(machine.text()).doesNotContain("SECRET");
        for (String path : List.of("/default/kernel", "/escape/config", "/relative/config", "/default/boot.ipxe")) {
            assertThat(get(path).text()).as(path).doesNotContain("SECRET");
        }
    }

    @Test
    void symlinksInsideTheFolderAreFollowed() throws Exception {
        Path kernels = data.resolve("kernels");
        Files.createDirectories(kernels);
        Files.write(kernels.resolve("vmlinuz-1"), kernel);
        Path link = data.resolve("boot/default/kernel");
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("../../kernels/vmlinuz-1"));
        assertThat(get("/default/kernel").body()).isEqualTo(kernel);
    }

    @Test
    void bootScriptLoadsKernelAndInitrdFromTheHostTheClientUsed() throws Exception {
        Files.writeString(data.resolve("boot/default/cmdline"), "# comment\nconsole=ttyS0  quiet # why\n\nrd.retry=40\n");
        Curl.Answer answer = get("/default/boot.ipxe", "-H", "Host: 10.0.2.2:5003");
        assertThat(answer.status()).isEqualTo(200);
        String script = answer.text();
        assertThat(script).startsWith("#!ipxe\n");
        assertThat(script).contains("kernel http://10.0.2.2:5003/default/kernel initrd=initrd slxsrv=10.0.2.2:5003"
                + " slxbase=default ip=${netX/ip}:10.0.2.2:${netX/gateway}:${netX/netmask} BOOTIF=01-${netX/mac:hexhyp}"
                + " console=ttyS0 quiet rd.retry=40 || goto failed\n");
        assertThat(script).contains("initrd --name initrd http://10.0.2.2:5003/default/initrd || goto failed\n");
        assertThat(script).contains("\nboot || goto failed\n");
    }

    @Test
    void bootScriptRefusesAHostHeaderThatIsNoHost() throws Exception {
        assertThat(get("/default/boot.ipxe", "-H", "Host: evil\"; shell; echo").status()).isEqualTo(400);
    }

    @Test
    void bootScriptUsesThePublicAddressWhenGiven() throws Exception {
        try (BootServer pinned = BootServer.start(new BootServer.Options(data,
                List.of(new InetSocketAddress("127.0.0.1", 0)), ServerAddress.parse("boot.example.org")),
                folder -> Dnbd3Service.none())) {
            String script = Curl.get(tmp, "http://127.0.0.1:" + pinned.boundAddresses().getFirst().getPort()
                    + "/default/boot.ipxe").text();
            assertThat(script).contains("kernel http://boot.example.org/default/kernel ")
                    .contains(" slxsrv=boot.example.org ")
                    .contains(" ip=${netX/ip}:${next-server}:${netX/gateway}:${netX/netmask} ");
        }
    }

    @Test
    void bootScriptWithoutInitrdLoadsOnlyTheKernel() throws Exception {
        Files.delete(data.resolve("boot/default/initrd"));
        String script = get("/default/boot.ipxe").text();
        assertThat(script).doesNotContain("initrd");
    }

    @Test
    void bootScriptOfABaseWithoutKernelIs404() throws Exception {
        Files.delete(data.resolve("boot/default/kernel"));
        assertThat(get("/default/boot.ipxe").status()).isEqualTo(404);
    }

    @Test
    void statusApiListsBasesAndRecentConfigFetches() throws Exception {
        get("/default/config?uuid=" + UUID);
        String status = get("/api/status").text();
        assertThat(status).contains("\"bases\":[{\"name\":\"default\",\"config\":true,\"configTgz\":true,\"kernel\":true,"
                + "\"initrd\":true,\"machineConfigs\":2}]");
        assertThat(status).contains("\"path\":\"/default/config\",\"uuid\":\"" + UUID + "\",\"served\":\"boot/default/config.d/"
                + UUID + "\"");
        assertThat(get("/").text()).contains("<script src=\"/status.js\"");
        assertThat(get("/status.js").text()).contains("/api/status");
    }

    @Test
    void nonGetMethodsAreNotServed() throws Exception {
        assertThat(get("/default/config", "-X", "DELETE").status()).isEqualTo(405);
        assertThat(new String(Files.readAllBytes(data.resolve("boot/default/config")), StandardCharsets.UTF_8))
                .contains("SLX_DNBD3_SERVERS");
    }
}
