package org.openslx.netboot.stage3.storage;

import java.util.List;
import java.util.Optional;
import org.openslx.netboot.stage3.plan.Step;

/**
 * The storage half of the boot: attach the image, find its root partition, set up the
 * copy-on-write layer, create the writable root device and mount it on /sysroot.
 *
 * @param dmTable         the snapshot table, with slots the executor fills in
 * @param expectedDmTable the same with the values the machine description predicts, where it does
 */
public record StoragePlan(RootChoice root, CowChoice cow, boolean persistentSnapshot, String dmTable,
                          Optional<String> expectedDmTable, List<Step> steps, List<String> warnings) {
    /** Where the writable root appears. */
    public static final String ROOT_DM_NAME = "slx-root";
    public static final String ROOT_DEVICE = "/dev/mapper/" + ROOT_DM_NAME;
    public static final String SYSROOT = "/sysroot";

    public StoragePlan {
        steps = List.copyOf(steps);
        warnings = List.copyOf(warnings);
    }
}
