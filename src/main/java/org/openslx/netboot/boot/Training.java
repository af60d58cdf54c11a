package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.Sources;
import org.openslx.netboot.block.qcow2.Qcow2Options;
import org.openslx.netboot.dnbd3.client.Dnbd3ClientOptions;
import org.openslx.netboot.dnbd3.client.Dnbd3Source;
import org.openslx.netboot.dnbd3.client.Dnbd3Url;
import org.openslx.netboot.nbd.NbdServer;
import org.openslx.netboot.stage3.cmdline.BootCommandLineParser;
import org.openslx.netboot.stage3.fetch.BootServerUrls;
import org.openslx.netboot.stage3.fetch.HttpFetcher;
import org.openslx.netboot.stage3.fetch.RetryPolicy;
import org.openslx.netboot.stage3.machine.DescribedMachine;
import org.openslx.netboot.stage3.network.BootNetworkResolver;
import org.openslx.netboot.stage3.network.NetworkdFiles;
import org.openslx.netboot.stage3.plan.Stage3Planner;

/**
 * The AOT cache's training run ({@code slx daemon --train}, at initramfs build time): walks the
 * daemon's code paths on loopback so the JDK classes they need (java.net.http with its TLS
 * set-up, NIO, virtual threads) and ours are loaded, linked and profiled into the cache. In the
 * emulated client, creating the first HttpClient alone took seconds without it.
 */
final class Training {
    private static final String CMDLINE = "slxsrv=127.0.0.1:%d slxbase=default "
            + "ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0 BOOTIF=01-52-54-00-12-34-56";
    private static final String MACHINE = """
            { "disks": [ { "name": "nbd0", "size": "4M", "table": "gpt",
              "partitions": [ { "number": 1, "size": "2M", "gptName": "SLX_SYS", "filesystem": "ext4" } ] } ] }
            """;

    private Training() {
    }

    static void run() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("slx-aot-training");
        Process server = null;
        try {
            Path image = smallImage(dir);
            Path data = dir.resolve("srv");
            // The boot server runs in a JVM of its own: its classes have no place in the daemon's cache.
            slx(dir, "server", "init", data.toString(), "--public-address", "127.0.0.1").waitFor();
            slx(dir, "image", "add", image.toString(), "--name", "train.qcow2", "--data", data.toString()).waitFor();
            int port = QemuNbd.freePort();
            server = slx(dir, "server", "--data", data.toString(), "--listen", "127.0.0.1:" + port);
            awaitPort(port, server);
            bootLogic(port);
            storageChain(port, dir);
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor();
            }
            Dracut.deleteTree(dir);
        }
    }

    /** Runs another slx command with this process's Java and jar, without AOT options. */
    private static Process slx(Path dir, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-XX:+UseSerialGC",
                "-cp", ClassPreloader.ownJar().toString(), "org.openslx.netboot.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("slx-" + args[0] + ".log").toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return builder.start();
    }

    private static void awaitPort(int port, Process server) throws IOException, InterruptedException {
        for (int i = 0; i < 300; i++) {
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (!server.isAlive()) {
                    throw new IOException("the training's slx server exited with code " + server.exitValue());
                }
                Thread.sleep(100);
            }
        }
        throw new IOException("the training's slx server did not listen on port " + port);
    }

    /** Command line, network files, config fetch over java.net.http, config parsing and planning. */
    private static void bootLogic(int port) throws IOException {
        Consumer<String> quiet = line -> { };
        String cmdlineText = CMDLINE.formatted(port);
        var cmdline = BootCommandLineParser.parse(cmdlineText);
        NetworkdFiles.forInitramfs(BootNetworkResolver.resolve(cmdline));
        List<URI> urls = BootServerUrls.of(cmdline.configServers(), cmdline.basePath().orElse(""), "config", Optional.empty());
        try (HttpFetcher fetcher = new HttpFetcher(RetryPolicy.BOOT.withTotalBudget(Duration.ofSeconds(10)), quiet)) {
            var result = fetcher.fetch("config", urls);
            String text = result instanceof org.openslx.netboot.stage3.fetch.FetchResult.Fetched f
                    ? new String(f.body(), java.nio.charset.StandardCharsets.UTF_8) : "";
            Stage3Planner.plan(cmdlineText, urls.getFirst().toString(), text, DescribedMachine.parse("training", MACHINE),
                    false, quiet);
            fetcher.fetch("config.tgz", BootServerUrls.of(cmdline.configServers(), "default", "config.tgz", Optional.empty()));
        }
    }

    /** dnbd3 client → qcow2 decoder → NBD server on a unix socket, read through once. */
    private static void storageChain(int port, Path dir) throws IOException, InterruptedException {
        Dnbd3Url url = new Dnbd3Url(List.of(new org.openslx.netboot.dnbd3.client.ServerAddress("127.0.0.1", port)),
                "train.qcow2", 1);
        Dnbd3Source dnbd3 = Dnbd3Source.open(url, Dnbd3ClientOptions.defaults());
        try (BlockSource disk = Sources.decode(new CountingSource(dnbd3), Qcow2Options.DEFAULTS)) {
            ByteBuffer buffer = ByteBuffer.allocate(128 * 1024);
            for (long offset = 0; offset + buffer.capacity() <= disk.size(); offset += buffer.capacity()) {
                buffer.clear();
                disk.read(buffer, offset);
            }
            dnbd3.statistics();
            Path socket = dir.resolve("nbd.sock");
            try (NbdServer server = NbdServer.serveUnix(socket, disk)) {
                if (Tool.exists("nbdcopy")) {
                    // A real client through the handshake and the transmission phase.
                    Tool.of("nbdcopy", "nbd+unix:///?socket=" + socket, "null:").run();
                }
            }
        }
        BootLog.info("training: " + ProcessMemory.describe());
        BootLog.info("training: served " + dnbd3.describe());
    }

    /** A 4 MiB disk, zstd-compressed qcow2 when qemu-img is there (the build host has it). */
    private static Path smallImage(Path dir) throws IOException {
        Path raw = dir.resolve("train.raw");
        byte[] data = new byte[4 << 20];
        new Random(1).nextBytes(data);
        java.util.Arrays.fill(data, 1 << 20, 2 << 20, (byte) 0);
        Files.write(raw, data);
        if (!Tool.exists("qemu-img")) {
            return raw;
        }
        Path qcow2 = dir.resolve("train.qcow2");
        Tool.of("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "compression_type=zstd",
                raw.toString(), qcow2.toString()).run();
        return qcow2;
    }
}
