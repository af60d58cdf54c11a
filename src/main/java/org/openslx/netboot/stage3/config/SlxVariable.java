package org.openslx.netboot.stage3.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * The variables of the seed's config example: name, default when unset or empty, and meaning.
 * The meanings are the seed's; where slx-netboot had to decide something the seed leaves open,
 * the description says so.
 */
public enum SlxVariable {
    SLX_CONFIGURATION_LOCATION("/opt/openslx/",
            "directory in stage4 where the config is copied as 'openslx' (the seed's /opt/openslx/openslx)"),
    SLX_DNBD3_SERVERS(null,
            "dnbd3 servers holding the image, in order of preference (blank- or comma-separated, host[:port], port 5003)"),
    SLX_DNBD3_FALLBACK("",
            "further dnbd3 servers, tried after SLX_DNBD3_SERVERS"),
    SLX_DNBD3_RID("0",
            "revision of the image; 0 means the newest the server has"),
    SLX_DNBD3_DEVICE("/dev/nbd0",
            "block device the image appears on; the seed's /dev/dnbdN (dnbd3 kernel module) maps to"
                    + " /dev/nbdN, where slx-netboot's root daemon serves the image's raw view"),
    SLX_DNBD3_IMAGE(null,
            "name of the qcow2 image on the dnbd3 servers"),
    SLX_SYSTEM_PARTITION_IDENTIFIER("",
            "GPT partition name (else filesystem label) of the root partition inside the image;"
                    + " empty: the whole image is the root filesystem"),
    SLX_SYSTEM_PARTITION_PREPARATION_SCRIPT("",
            "program run after the writable root device exists and before it is mounted"
                    + " (SLX_ROOT_DEVICE and SLX_SYSTEM_PARTITION in its environment); from the initramfs"),
    SLX_WRITABLE_DEVICE_IDENTIFIER("",
            "GPT partition name of the local partition for the copy-on-write layer; partitions with the ID44"
                    + " type (GPT 87f86132-ff94-4987-b250-444444444444, MBR 0x44) are taken too"),
    SLX_WRITABLE_DEVICE_IDENTIFIER_TIMEOUT_IN_SECONDS("10",
            "how long to wait for that partition to appear"),
    SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CREATE_COMMAND("",
            "command that creates the filesystem on the ID44 partition when the check fails or the partition"
                    + " cannot be mounted (device appended); empty: never create one"),
    SLX_WRITABLE_DEVICE_STORAGE_FILESYSTEM_CHECK_COMMAND("",
            "command that checks the filesystem on the ID44 partition (device appended, exit code as fsck's);"
                    + " empty: no check"),
    SLX_WRITABLE_DEVICE_STORAGE_MAXIMUM_FILE_SIZE_IN_MB("0",
            "largest copy-on-write file; 0: as large as the filesystem allows"),
    SLX_WRITABLE_DEVICE_STORAGE_FILE_PATH("",
            "path of the copy-on-write file inside the ID44 partition's filesystem; empty: the whole partition"
                    + " is the copy-on-write store"),
    SLX_WRITABLE_DEVICE_PERSISTENT("no",
            "yes: keep the copy-on-write data across boots (bound to image name and RID); no: start empty"),
    SLX_GENERATE_FSTAB_SCRIPT("",
            "program that writes stage4's /etc/fstab instead of stage3 (NEWROOT in its environment)"),
    SLX_RAMDISK_SIZE_IN_KB("1000000",
            "size of the copy-on-write layer in RAM when no ID44 partition is used"),
    SLX_MOUNT_ROOT_OPTIONS("",
            "extra arguments for mount when mounting the root on /sysroot, e.g. -o subvol=@"),
    SLX_LOG_FILE_PATH("/var/log/openslx",
            "where stage3's log is copied in stage4 (a file; into it as stage3.log if it is a directory)");

    private final String defaultValue;
    private final String meaning;

    SlxVariable(String defaultValue, String meaning) {
        this.defaultValue = defaultValue;
        this.meaning = meaning;
    }

    /** The default, or empty when the variable is required. */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String meaning() {
        return meaning;
    }

    public static boolean isKnown(String name) {
        return Arrays.stream(values()).anyMatch(v -> v.name().equals(name));
    }
}
