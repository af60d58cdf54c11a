package org.openslx.netboot.stage3.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * config.tgz extraction: benign archives made by the real GNU tar in every format it writes, and
 * hostile archives built header by header.
 */
class SafeExtractorTest {
    @TempDir
    Path dir;
    Path root;
    Path outside;
    final List<String> log = new ArrayList<>();

    @BeforeEach
    void prepare() throws IOException {
        root = Files.createDirectories(dir.resolve("sysroot"));
        outside = Files.createDirectories(dir.resolve("outside"));
    }

    private SafeExtractor.Result extract(Path archive) throws IOException {
        return new SafeExtractor(SafeExtractor.Limits.DEFAULT, log::add).extract(archive, root);
    }

    private Path hostile(TarBuilder builder) throws IOException {
        return builder.writeGzip(dir.resolve("config.tgz"));
    }

    private void assertRootUntouched() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(p -> !p.equals(root))).as("nothing extracted").isEmpty();
        }
        try (Stream<Path> files = Files.walk(outside)) {
            assertThat(files.filter(p -> !p.equals(outside))).as("nothing outside").isEmpty();
        }
    }

    private static void run(Path cwd, String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(String.join(" ", argv) + ": " + output).isZero();
    }

    /** The real peer: GNU tar, in each of its formats, long names, set-id modes, owners, links. */
    @ParameterizedTest
    @ValueSource(strings = {"gnu", "ustar", "pax", "v7"})
    void archivesFromGnuTarExtractWithModesOwnersAndLinks(String format) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path etc = Files.createDirectories(tree.resolve("etc/slx"));
        Files.writeString(etc.resolve("motd"), "welcome\n");
        Files.setAttribute(etc.resolve("motd"), "unix:mode", 0640);
        Path bin = Files.createDirectories(tree.resolve("opt/openslx/bin"));
        Files.writeString(bin.resolve("helper"), "#!/bin/sh\n");
        Files.setAttribute(bin.resolve("helper"), "unix:mode", 04755);
        Files.setAttribute(etc, "unix:mode", 0750);
        Files.createSymbolicLink(tree.resolve("etc/slx/current"), Path.of("motd"));
        Files.createLink(tree.resolve("etc/slx/motd.hard"), etc.resolve("motd"));
        String deep = "opt/" + "long-directory-name-".repeat(4) + "/" + "file-with-a-name-longer-than-one-hundred-bytes-".repeat(2);
        boolean longNames = !format.equals("v7");
        if (longNames) {
            Files.createDirectories(tree.resolve(deep).getParent());
            Files.writeString(tree.resolve(deep), "deep\n");
        }
        Path archive = dir.resolve("config-" + format + ".tgz");
        run(tree, "tar", "--format=" + format, "--owner=1234", "--group=5678", "--numeric-owner",
                "--mtime=@1700000000", "-czf", archive.toString(), "etc", "opt");

        SafeExtractor.Result result = extract(archive);

        assertThat(Files.readString(root.resolve("etc/slx/motd"))).isEqualTo("welcome\n");
        assertThat(Files.getAttribute(root.resolve("etc/slx/motd"), "unix:mode")).isEqualTo(0100640);
        assertThat(Files.getAttribute(root.resolve("opt/openslx/bin/helper"), "unix:mode")).isEqualTo(0104755);
        assertThat(Files.getAttribute(root.resolve("etc/slx"), "unix:mode")).isEqualTo(040750);
        assertThat(Files.getAttribute(root.resolve("etc/slx/motd"), "unix:uid")).isEqualTo(1234);
        assertThat(Files.getAttribute(root.resolve("etc/slx/motd"), "unix:gid")).isEqualTo(5678);
        assertThat(Files.getLastModifiedTime(root.resolve("etc/slx/motd")).toMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(Files.readSymbolicLink(root.resolve("etc/slx/current"))).isEqualTo(Path.of("motd"));
        assertThat(Files.getAttribute(root.resolve("etc/slx/current"), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1234);
        assertThat(Files.getAttribute(root.resolve("etc/slx/motd.hard"), "unix:ino"))
                .isEqualTo(Files.getAttribute(root.resolve("etc/slx/motd"), "unix:ino"));
        if (longNames) {
            assertThat(Files.readString(root.resolve(deep))).isEqualTo("deep\n");
        }
        assertThat(result.links()).isEqualTo(2);
    }

    @Test
    void uncompressedArchivesWorkToo() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("hello"), "hi");
        Path archive = dir.resolve("config.tar");
        run(tree, "tar", "-cf", archive.toString(), "hello");
        extract(archive);
        assertThat(Files.readString(root.resolve("hello"))).isEqualTo("hi");
    }

    @Test
    void absolutePathIsRefusedAndNothingIsExtracted() throws IOException {
        Path archive = hostile(new TarBuilder().file("etc/ok", "fine").file(outside.resolve("pwned").toString(), "x"));
        assertThatThrownBy(() -> extract(archive)).hasMessageContaining("is an absolute path")
                .hasMessageContaining("nothing was extracted").hasMessageContaining("config.tgz");
        assertRootUntouched();
    }

    @Test
    void dotDotIsRefused() throws IOException {
        Path archive = hostile(new TarBuilder().file("etc/../../outside/pwned", "x"));
        assertThatThrownBy(() -> extract(archive)).hasMessageContaining("contains '..'")
                .hasMessageContaining("entry \"etc/../../outside/pwned\" (at byte 0)");
        assertRootUntouched();
    }

    @Test
    void writingThroughASymlinkTheArchiveCreatesIsRefused() throws IOException {
        Path archive = hostile(new TarBuilder().symlink("escape", outside.toString()).file("escape/pwned", "x"));
        assertThatThrownBy(() -> extract(archive)).hasMessageContaining("through the symlink \"escape\"");
        assertRootUntouched();
    }

    @Test
    void writingThroughARelativeSymlinkTheArchiveCreatesIsRefused() throws IOException {
        Path archive = hostile(new TarBuilder().directory("a").symlink("a/up", "../..").file("a/up/outside/pwned", "x"));
        assertThatThrownBy(() -> extract(archive)).hasMessageContaining("through the symlink \"a/up\"");
        assertRootUntouched();
    }

    @Test
    void hardLinkToAFileOutsideIsRefused() throws IOException {
        Files.writeString(outside.resolve("secret"), "s");
        Path absolute = hostile(new TarBuilder().hardLink("stolen", outside.resolve("secret").toString()));
        assertThatThrownBy(() -> extract(absolute)).hasMessageContaining("is an absolute path");
        Path dotdot = hostile(new TarBuilder().hardLink("stolen", "../outside/secret"));
        assertThatThrownBy(() -> extract(dotdot)).hasMessageContaining("contains '..'");
        Path viaLink = hostile(new TarBuilder().symlink("l", outside.toString()).hardLink("stolen", "l/secret"));
        assertThatThrownBy(() -> extract(viaLink)).hasMessageContaining("through the symlink \"l\"");
        assertThat(root.resolve("stolen")).doesNotExist();
    }

    @Test
    void deviceNodesAreRefused() throws IOException {
        assertThatThrownBy(() -> extract(hostile(new TarBuilder().special("dev/sda", '4'))))
                .hasMessageContaining("is a device node");
        assertThatThrownBy(() -> extract(hostile(new TarBuilder().special("dev/mem", '3'))))
                .hasMessageContaining("is a device node");
        assertRootUntouched();
    }

    @Test
    void fifosAreSkippedWithANote() throws IOException {
        extract(hostile(new TarBuilder().special("run/pipe", '6').file("ok", "fine")));
        assertThat(root.resolve("run/pipe")).doesNotExist();
        assertThat(log).anyMatch(l -> l.contains("run/pipe") && l.contains("FIFO"));
    }

    @Test
    void sparseAndUnknownMembersAreRefused() throws IOException {
        assertThatThrownBy(() -> extract(hostile(new TarBuilder().special("disk.img", 'S'))))
                .hasMessageContaining("of a kind this extractor does not support");
    }

    @Test
    void longNamesAndPaxPathsAreCheckedToo() throws IOException {
        assertThatThrownBy(() -> extract(hostile(new TarBuilder().gnuLongNameFile("../outside/pwned", "x"))))
                .hasMessageContaining("contains '..'");
        assertThatThrownBy(() -> extract(hostile(new TarBuilder().paxPathFile("/etc/pwned", "harmless", "x"))))
                .hasMessageContaining("is an absolute path");
        assertRootUntouched();
    }

    @Test
    void imageSymlinksAreFollowedAsIfTheRootWereSlash() throws IOException {
        Files.createDirectories(root.resolve("usr/lib"));
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Files.createSymbolicLink(root.resolve("etc2"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../.."));
        Files.createSymbolicLink(root.resolve("outside-link"), outside);
        extract(hostile(new TarBuilder().file("lib/merged", "m").file("etc2/hostname", "h").file("up/top", "t")
                .file("outside-link/caught", "c")));
        assertThat(Files.readString(root.resolve("usr/lib/merged"))).isEqualTo("m");
        assertThat(Files.readString(root.resolve("etc/hostname"))).isEqualTo("h");
        assertThat(Files.readString(root.resolve("top"))).isEqualTo("t");
        assertThat(Files.readString(root.resolve(outside.toString().substring(1)).resolve("caught"))).isEqualTo("c");
        try (Stream<Path> files = Files.walk(outside)) {
            assertThat(files.filter(p -> !p.equals(outside))).isEmpty();
        }
    }

    @Test
    void aSymlinkInThePlaceOfAFileIsReplacedNotWrittenThrough() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(outside.resolve("target"), "original");
        Files.createSymbolicLink(root.resolve("etc/resolv.conf"), outside.resolve("target"));
        extract(hostile(new TarBuilder().file("etc/resolv.conf", "nameserver 10.0.0.1\n")));
        assertThat(Files.isSymbolicLink(root.resolve("etc/resolv.conf"))).isFalse();
        assertThat(Files.readString(root.resolve("etc/resolv.conf"))).isEqualTo("nameserver 10.0.0.1\n");
        assertThat(Files.readString(outside.resolve("target"))).isEqualTo("original");
    }

    @Test
    void aFileInThePlaceOfAnImageDirectoryIsRefused() throws IOException {
        Files.createDirectories(root.resolve("etc/systemd"));
        assertThatThrownBy(() -> extract(hostile(new TarBuilder().file("etc/systemd", "x"))))
                .hasMessageContaining("would replace a directory of the image");
    }

    @Test
    void truncatedArchiveIsReportedAsSuch() throws IOException {
        byte[] tar = new TarBuilder().file("big", "x".repeat(5000)).tar();
        Path archive = dir.resolve("config.tar");
        Files.write(archive, java.util.Arrays.copyOf(tar, 2048));
        assertThatThrownBy(() -> extract(archive)).hasMessageContaining("config.tar").hasMessageContaining("ends inside");
        Path gz = hostile(new TarBuilder().file("big", "y".repeat(50_000)));
        byte[] gzip = Files.readAllBytes(gz);
        Files.write(gz, java.util.Arrays.copyOf(gzip, gzip.length / 2));
        assertThatThrownBy(() -> extract(gz)).hasMessageContaining("config.tgz").hasMessageContaining("truncated");
    }

    @Test
    void aDamagedHeaderIsNotMistakenForData() throws IOException {
        assertThatThrownBy(() -> extract(hostile(new TarBuilder().file("a", "b").garbage())))
                .hasMessageContaining("header at byte 1024 has a wrong checksum");
    }

    @Test
    void archiveBombsHitTheLimit() throws IOException {
        Path archive = hostile(new TarBuilder().file("a", "x".repeat(3000)).file("b", "x".repeat(3000)));
        assertThatThrownBy(() -> new SafeExtractor(new SafeExtractor.Limits(4096, 100), log::add).extract(archive, root))
                .hasMessageContaining("more than 4096 bytes of content");
        assertRootUntouched();
    }

    @Test
    void theRootEntryDotSlashDoesNotChangeTheRoot() throws IOException {
        Files.setAttribute(root, "unix:mode", 0755);
        extract(hostile(new TarBuilder().directory("./").file("./x", "y")));
        assertThat(Files.getAttribute(root, "unix:mode")).isEqualTo(040755);
        assertThat(Files.readString(root.resolve("x"))).isEqualTo("y");
    }

    @Test
    void aLaterDirectoryEntryMayReplaceTheArchivesOwnSymlink() throws IOException {
        extract(hostile(new TarBuilder().symlink("d", "/tmp").directory("d").file("d/f", "x")));
        assertThat(Files.isSymbolicLink(root.resolve("d"))).isFalse();
        assertThat(Files.readString(root.resolve("d/f"))).isEqualTo("x");
    }
}
