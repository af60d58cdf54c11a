package org.openslx.netboot.block.qcow2;

import java.util.Map;

/**
 * What the header extensions after the fixed header say, as far as a reader cares.
 *
 * @param featureNames names from the feature name table, keyed "incompatible:5" etc., so that a
 *     refusal can name a feature this decoder does not know
 * @param dataFileName the external data file name, or null
 * @param backingFormat the backing file format, or null
 * @param bitmapsPresent whether a bitmaps extension exists (dirty bitmaps; ignored for reading)
 */
public record HeaderExtensions(
        Map<String, String> featureNames,
        String dataFileName,
        String backingFormat,
        boolean bitmapsPresent) {

    static final int END = 0x00000000;
    static final int BACKING_FORMAT = 0xe2792aca;
    static final int FEATURE_NAME_TABLE = 0x6803f857;
    static final int BITMAPS = 0x23852875;
    static final int FULL_DISK_ENCRYPTION = 0x0537be77;
    static final int EXTERNAL_DATA_FILE = 0x44415441;

    /** The name the feature table gives incompatible feature {@code bit}, or null. */
    String incompatibleFeatureName(int bit) {
        return featureNames.get("incompatible:" + bit);
    }
}
