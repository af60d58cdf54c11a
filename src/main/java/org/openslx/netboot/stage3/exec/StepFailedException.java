package org.openslx.netboot.stage3.exec;

import java.io.IOException;
import org.openslx.netboot.stage3.plan.Step;

/** A step of the boot failed: which one, why, and what to check. */
public final class StepFailedException extends IOException {
    private final Step step;

    public StepFailedException(String position, Step step, String reason) {
        super("step " + position + " failed: " + step.describe() + ": " + reason + ". Check " + step.whatToCheck() + ".");
        this.step = step;
    }

    public Step step() {
        return step;
    }
}
