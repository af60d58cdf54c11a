package org.openslx.netboot.stage3.tar;

/**
 * One member of a tar archive, with long names and pax overrides already applied.
 *
 * @param name     the member's path as written in the archive
 * @param offset   where its header starts in the (uncompressed) archive, for messages
 * @param linkName the target of a symlink or hard link, else empty
 */
public record TarEntry(String name, Type type, int mode, long uid, long gid, long size, long mtime, String linkName,
                       long offset) {

    public enum Type {
        FILE, HARD_LINK, SYMLINK, CHARACTER_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO, UNSUPPORTED;

        static Type of(char flag) {
            return switch (flag) {
                case '0', '\0', '7' -> FILE;
                case '1' -> HARD_LINK;
                case '2' -> SYMLINK;
                case '3' -> CHARACTER_DEVICE;
                case '4' -> BLOCK_DEVICE;
                case '5' -> DIRECTORY;
                case '6' -> FIFO;
                default -> UNSUPPORTED;
            };
        }
    }

    /** For messages: {@code entry "etc/passwd" (at byte 1536)}. */
    public String where() {
        return "entry \"" + name + "\" (at byte " + offset + ")";
    }
}
