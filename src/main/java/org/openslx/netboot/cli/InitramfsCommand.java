package org.openslx.netboot.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.openslx.netboot.boot.Dracut;
import org.openslx.netboot.boot.DracutNg;
import org.openslx.netboot.boot.InitramfsBuilder;
import org.openslx.netboot.boot.Kernel;
import org.openslx.netboot.boot.ProjectFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slx initramfs build}: the client's initramfs with our dracut module and Java runtime. */
@Command(name = "initramfs", description = "Build the client's initramfs.",
        subcommands = InitramfsCommand.Build.class)
public final class InitramfsCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build an initramfs with dracut, our 90dnbd3-rootfs module and a jlink'd Java runtime.")
    static final class Build implements Callable<Integer> {
        @Option(names = "--kver", paramLabel = "KVER",
                description = "Kernel version (default: the newest cloud kernel in /boot).")
        String kver;

        @Option(names = "--out", paramLabel = "FILE",
                description = "Where to write the initramfs (default: slx-initramfs-KVER.img).")
        Path out;

        @Option(names = "--jar", paramLabel = "FILE", description = "The slx jar to carry (default: target/slx.jar).")
        Path jar;

        @Option(names = "--module-dir", paramLabel = "DIR",
                description = "The dracut module folder (default: dracut/modules.d/90dnbd3-rootfs).")
        Path moduleDir;

        @Option(names = "--dracut-ng",
                description = "Build with dracut-ng (Debian trixie's, downloaded once from deb.debian.org into "
                        + "~/.cache/slx-netboot) instead of the system's dracut.")
        boolean dracutNg;

        @Option(names = "--work-dir", paramLabel = "DIR",
                description = "Scratch folder (default: a folder beside the output).")
        Path workDir;

        @Override
        public Integer call() throws Exception {
            Kernel kernel = kver == null ? Kernel.preferred() : Kernel.of(kver);
            Path output = (out != null ? out : Path.of("slx-initramfs-" + kernel.version() + ".img")).toAbsolutePath();
            Path work = workDir != null ? workDir : output.resolveSibling(output.getFileName() + ".work");
            Files.createDirectories(work);
            var options = new InitramfsBuilder.Options(kernel, output,
                    jar != null ? jar : ProjectFiles.jar(),
                    moduleDir != null ? moduleDir : ProjectFiles.moduleFolder(),
                    work);
            long start = System.nanoTime();
            Consumer<String> progress = line -> System.err.println("slx initramfs: " + line);
            var dracut = dracutNg ? DracutNg.install(DracutNg.defaultCache(), progress) : Dracut.Installation.system();
            var report = InitramfsBuilder.build(options, dracut, progress);
            System.out.print(Summary.of(report, (System.nanoTime() - start) / 1e9));
            return 0;
        }
    }

    /** The report printed after a build. */
    static final class Summary {
        static String of(InitramfsBuilder.Report r, double seconds) {
            return """
                    initramfs     %s
                    size          %s (%s)
                    kernel        %s
                    dracut        %s
                    kernel mods   %s
                    java runtime  %s uncompressed (modules: %s)
                    slx.jar       %s
                    AOT cache     %s
                    built in      %.0f s
                    """.formatted(r.output(), mib(r.bytes()), InitramfsBuilder.COMPRESSOR, r.kernel().version(),
                    String.join(" ", r.dracutModules()), String.join(" ", r.kernelModules()),
                    mib(r.runtimeBytes()), String.join(",", r.javaModules()), mib(r.jarBytes()),
                    mib(r.aotCacheBytes()), seconds);
        }

        private static String mib(long bytes) {
            return "%.1f MiB".formatted(bytes / 1048576.0);
        }
    }
}
