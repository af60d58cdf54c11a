package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import org.openslx.netboot.stage3.plan.Step;

/**
 * Starts the root daemon that serves the image's raw view on the image device. The daemon belongs
 * to the boot wiring (another part of slx-netboot); stage3 only says what to attach.
 */
public interface ImageAttacher {
    void attach(Step.AttachImage image) throws IOException;

    /** For boots where the dracut module attached the image before stage3 runs. */
    static ImageAttacher alreadyAttached() {
        return image -> {
        };
    }
}
