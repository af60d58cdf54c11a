package org.openslx.netboot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openslx.netboot.block.ExternalCommand.run;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.block.partition.TestDisks;

/** {@code slx image info} and {@code slx image cat} as a user runs them. */
class ImageCommandTest {
    @TempDir
    static Path dir;

    private static Path ext4;
    private static Path qcow2;

    /** A zstd-compressed qcow2 disk: GPT partition "ROOT" with ext4 labelled "rootfs", and "ID44". */
    @BeforeAll
    static void makeDisk() {
        ext4 = TestDisks.ext4(dir, "ext4.img", "rootfs", 6);
        Path raw = TestDisks.gptDisk(dir, "disk.img", 16, List.of(
                new TestDisks.GptPart("ROOT", "8300", 6, ext4),
                new TestDisks.GptPart("ID44 \"cache\"", "87f86132-ff94-4987-b250-444444444444", 4, null)));
        qcow2 = dir.resolve("disk.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", "-o",
                "compression_type=zstd,cluster_size=16384,extended_l2=on", raw.toString(), qcow2.toString());
        run("qemu-img", "snapshot", "-c", "before-update", qcow2.toString());
    }

    @Test
    void infoShowsFormatSizesFeaturesAndPartitions() {
        Result result = slx("image", "info", qcow2.toString());
        assertThat(result.exit()).isZero();
        assertThat(result.out())
                .contains("format:       qcow2 (version 3)")
                .contains("virtual size: 16 MiB (16777216 bytes)")
                .contains("cluster size: 16 KiB")
                .contains("compression:  zstd")
                .contains("features:     extended_l2")
                .contains("snapshots:    before-update")
                .contains("partitions:   GPT, 2")
                .containsPattern("1 +ROOT +Linux filesystem +1 MiB +6 MiB +ext4 \"rootfs\"")
                .containsPattern("2 +ID44 \"cache\" +OpenSLX ID44 +7 MiB +4 MiB +-");
    }

    @Test
    void infoJsonIsValidJsonWithTheSameFacts() throws IOException {
        Result result = slx("image", "info", "--json", qcow2.toString());
        assertThat(result.exit()).isZero();
        // python3's json module is the independent parser here.
        Path json = dir.resolve("info.json");
        Files.writeString(json, result.out());
        String facts = run("python3", "-c", String.join("\n",
                "import json,sys",
                "d = json.load(open(sys.argv[1]))",
                "p = d['partitions']",
                "print(d['format'], d['virtual_size'], d['cluster_size'], d['compression_type'], d['features'])",
                "print(p[0]['name'], p[0]['offset'], p[0]['size'], p[0]['filesystem']['type'], p[0]['filesystem']['label'])",
                "print(p[1]['name'], p[1]['type_guid'], p[1]['filesystem'])",
                "print(d['snapshots'][0]['name'], d['partition_table'])"), json.toString());
        assertThat(facts).isEqualTo(String.join("\n",
                "qcow2 16777216 16384 zstd ['extended_l2']",
                "ROOT 1048576 6291456 ext4 rootfs",
                "ID44 \"cache\" 87f86132-ff94-4987-b250-444444444444 None",
                "before-update gpt", ""));
    }

    @Test
    void infoOnARawFilesystemShowsItsLabel() {
        Result result = slx("image", "info", ext4.toString());
        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("format:       raw").contains("partitions:   none")
                .contains("filesystem:   ext4 \"rootfs\"");
    }

    @Test
    void catOfAPartitionWritesExactlyThatPartition() throws IOException {
        Path out = dir.resolve("root.out");
        assertThat(slxToFile(out, "image", "cat", qcow2.toString(), "--partition", "rootfs")).isZero();
        byte[] expected = Arrays.copyOf(Files.readAllBytes(ext4), 6 << 20);
        assertThat(Arrays.mismatch(Files.readAllBytes(out), expected)).isEqualTo(-1);
    }

    @Test
    void catOfAMissingPartitionSaysWhichOnesExist() {
        Result result = slx("image", "cat", qcow2.toString(), "--partition", "home");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("no partition is named or labelled \"home\"")
                .contains("1 \"ROOT\" (ext4 label \"rootfs\", 6 MiB)");
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void corruptImageGivesOneClearSentence() throws IOException {
        byte[] bytes = Files.readAllBytes(qcow2);
        bytes[23] = 40; // cluster_bits
        Path corrupt = dir.resolve("corrupt.qcow2");
        Files.write(corrupt, bytes);
        Result result = slx("image", "info", corrupt.toString());
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err().strip()).endsWith("corrupt.qcow2: cluster_bits 40 (header offset 0x14) is out of range"
                + " (9 to 21, i.e. 512 B to 2 MiB clusters)");
    }

    @Test
    void badCacheSizeIsAUsageError() {
        Result result = slx("image", "info", "--l2-cache-size", "lots", qcow2.toString());
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("'lots' is not a size");
    }

    record Result(int exit, String out, String err) {
    }

    private static Result slx(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    /** The image as qemu-img reads it, for comparing with what slx writes. */
    private static byte[] qemuRaw() throws IOException {
        Path raw = dir.resolve("qemu.raw");
        run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), raw.toString());
        return Files.readAllBytes(raw);
    }

    /** {@code slx} as its own process (so standard output is a real descriptor), via sh. */
    private static int slxProcess(String shellRedirect, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder command = new StringBuilder("exec");
        for (String arg : List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName())) {
            command.append(" '").append(arg).append('\'');
        }
        for (String arg : args) {
            command.append(" '").append(arg).append('\'');
        }
        command.append(' ').append(shellRedirect);
        Process process = new ProcessBuilder("sh", "-c", command.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().close();
        return process.waitFor();
    }

    @Test
    void catIntoAFileEqualsQemuImgConvertAndLeavesHolesUnwrittenLikeIt() throws Exception {
        Path out = dir.resolve("whole.out");
        assertThat(slxProcess("> '" + out + "'", "image", "cat", qcow2.toString())).isZero();

        assertThat(Arrays.mismatch(Files.readAllBytes(out), qemuRaw())).isEqualTo(-1);
        long allocatedBytes = Long.parseLong(run("stat", "-c", "%b", out.toString()).strip()) * 512;
        assertThat(allocatedBytes).as("blocks allocated for the 16 MiB output").isLessThan(16L << 20);
    }

    @Test
    void catIntoAFileWithOldContentsOverwritesItsHolesWithZeros() throws Exception {
        Path out = dir.resolve("reused.out");
        byte[] junk = new byte[20 << 20];
        Arrays.fill(junk, (byte) 0x5a);
        Files.write(out, junk);
        // 1<> opens without truncating: the old bytes are still there under the output.
        assertThat(slxProcess("1<> '" + out + "'", "image", "cat", qcow2.toString())).isZero();

        byte[] written = Files.readAllBytes(out);
        byte[] expected = qemuRaw();
        assertThat(Arrays.mismatch(Arrays.copyOf(written, expected.length), expected)).isEqualTo(-1);
    }

    @Test
    void catAppendedToAFileAndAfterOtherOutputLandsAfterIt() throws Exception {
        Path out = dir.resolve("appended.out");
        Files.writeString(out, "header\n");
        assertThat(slxProcess(">> '" + out + "'", "image", "cat", qcow2.toString())).isZero();
        Path positioned = dir.resolve("positioned.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder("sh", "-c", "{ echo header; '" + java + "' -cp '"
                + System.getProperty("java.class.path") + "' " + Main.class.getName() + " image cat '" + qcow2
                + "'; echo trailer; } > '" + positioned + "'").start();
        assertThat(process.waitFor()).isZero();

        byte[] image = qemuRaw();
        byte[] header = "header\n".getBytes(StandardCharsets.US_ASCII);
        byte[] appended = Files.readAllBytes(out);
        assertThat(Arrays.copyOf(appended, header.length)).isEqualTo(header);
        assertThat(Arrays.mismatch(Arrays.copyOfRange(appended, header.length, appended.length), image)).isEqualTo(-1);
        byte[] framed = Files.readAllBytes(positioned);
        assertThat(Arrays.mismatch(Arrays.copyOfRange(framed, header.length, header.length + image.length), image))
                .isEqualTo(-1);
        assertThat(new String(Arrays.copyOfRange(framed, header.length + image.length, framed.length),
                StandardCharsets.US_ASCII)).isEqualTo("trailer\n");
    }

    private static int slxToFile(Path file, String... args) throws IOException {
        PrintStream original = System.out;
        try (PrintStream redirected = new PrintStream(new FileOutputStream(file.toFile()), false)) {
            System.setOut(redirected);
            return Main.run(args);
        } finally {
            System.setOut(original);
        }
    }
}
