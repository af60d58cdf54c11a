package org.openslx.netboot.block.partition;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** What a partition table says a partition is for: a GPT type GUID or an MBR type code. */
public sealed interface PartitionType {

    /** A human name for well-known types, else the raw GUID or code. */
    String describe();

    /** A GPT partition type GUID. */
    record Gpt(UUID guid) implements PartitionType {
        @Override
        public String describe() {
            String known = KNOWN_GPT.get(guid);
            return known != null ? known : guid.toString();
        }
    }

    /** An MBR partition type code (one byte). */
    record Mbr(int code) implements PartitionType {
        public Mbr {
            if (code < 0 || code > 0xff) {
                throw new IllegalArgumentException("MBR type code out of range: " + code);
            }
        }

        @Override
        public String describe() {
            String known = KNOWN_MBR.get(code);
            String hex = String.format(Locale.ROOT, "0x%02x", code);
            return known != null ? known + " (" + hex + ")" : hex;
        }
    }

    /** The OpenSLX ID44 partition (local cache/swap/persistent space in stage3), GPT flavour. */
    UUID OPENSLX_ID44_GUID = UUID.fromString("87f86132-ff94-4987-b250-444444444444");
    /** The OpenSLX ID44 partition, MBR flavour. */
    int OPENSLX_ID44_MBR = 0x44;

    /** Whether this is an OpenSLX ID44 partition, in either table format. */
    default boolean isOpenSlxId44() {
        return switch (this) {
            case Gpt gpt -> gpt.guid().equals(OPENSLX_ID44_GUID);
            case Mbr mbr -> mbr.code() == OPENSLX_ID44_MBR;
        };
    }

    Map<UUID, String> KNOWN_GPT = Map.of(
            UUID.fromString("0fc63daf-8483-4772-8e79-3d69d8477de4"), "Linux filesystem",
            UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"), "EFI system",
            UUID.fromString("0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"), "Linux swap",
            UUID.fromString("21686148-6449-6e6f-744e-656564454649"), "BIOS boot",
            UUID.fromString("4f68bce3-e8cd-4db1-96e7-fbcaf984b709"), "Linux root (x86-64)",
            UUID.fromString("e6d6d379-f507-44c2-a23c-238f2a3df928"), "Linux LVM",
            UUID.fromString("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"), "Microsoft basic data",
            OPENSLX_ID44_GUID, "OpenSLX ID44");

    Map<Integer, String> KNOWN_MBR = Map.of(
            0x07, "NTFS/exFAT",
            0x0b, "FAT32",
            0x0c, "FAT32 (LBA)",
            0x44, "OpenSLX ID44",
            0x82, "Linux swap",
            0x83, "Linux",
            0x8e, "Linux LVM",
            0xef, "EFI system");
}
