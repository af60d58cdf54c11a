package org.openslx.netboot.stage3.cmdline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.openslx.netboot.stage3.Golden;
import org.openslx.netboot.stage3.network.BootNetworkResolver;
import org.openslx.netboot.stage3.network.NetworkReport;

/**
 * Every command-line form in {@code src/test/resources/stage3/cmdline/*.cmdline} (PXELINUX IPAPPEND
 * 1/2/3, OpenSLX's iPXE lines, dracut's forms, kernel quoting, malformed ones) against its
 * {@code .golden}: what stage3 understands, the SLX_PXE_* variables and the networkd files, or the
 * error message.
 */
class CommandLineGoldenTest {
    private static final Path CASES = Golden.RESOURCES.resolve("stage3/cmdline");

    @TestFactory
    Stream<DynamicTest> everyCommandLineFormMatchesItsGoldenFile() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            return files.filter(f -> f.toString().endsWith(".cmdline")).sorted().toList().stream()
                    .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
        }
    }

    private static void check(Path file) throws IOException {
        String cmdline = Files.readString(file).strip();
        String output;
        try {
            BootCommandLine parsed = BootCommandLineParser.parse(cmdline);
            output = NetworkReport.render(parsed, BootNetworkResolver.resolve(parsed));
        } catch (IllegalArgumentException e) {
            output = "error: " + e.getMessage() + "\n";
        }
        String name = file.getFileName().toString().replaceFirst("\\.cmdline$", ".golden");
        Golden.check(file.resolveSibling(name), "# " + cmdline + "\n" + output);
    }
}
