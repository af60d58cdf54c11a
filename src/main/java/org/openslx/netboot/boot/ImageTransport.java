package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.URI;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.stage3.cmdline.BootCommandLine;
import org.openslx.netboot.stage3.cmdline.KernelCommandLine;
import org.openslx.netboot.stage3.plan.Step;

/**
 * How the daemon reaches the image the plan names. INTERIM until the dnbd3 client lands on main:
 * over HTTP Range requests from the URL given as {@code slxinterim.image=} on the kernel command
 * line (the plan's servers, name and RID are logged but not used yet).
 */
final class ImageTransport {
    private ImageTransport() {
    }

    static BlockSource open(Step.AttachImage step, BootCommandLine cmdline) throws IOException {
        String url = KernelCommandLine.parse(cmdline.text()).last("slxinterim.image")
                .orElseThrow(() -> new IOException("cannot fetch image " + step.image() + " rid " + step.rid()
                        + " from " + step.servers() + ": the dnbd3 client is not in this build yet "
                        + "(interim: give slxinterim.image=URL)"));
        BootLog.info("image: INTERIM transport over HTTP from " + url + " (plan: " + step.image()
                + " rid " + step.rid() + " on " + step.servers() + ")");
        return HttpRangeSource.open(URI.create(url));
    }
}
