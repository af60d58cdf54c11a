package org.openslx.netboot.dnbd3.protocol;

import java.util.Optional;

/**
 * The dnbd3 commands with their wire ids. Headers keep the raw id (an int) so that unknown
 * commands survive decoding; {@link #of(int)} maps an id to a known command.
 */
public enum Command {
    /** Read: offset and size in the request header; reply carries the data. */
    GET_BLOCK(1),
    /** Handshake, must be the first request: see {@link SelectImageRequest}, {@link SelectImageReply}. */
    SELECT_IMAGE(2),
    /** Alternative servers: empty request, reply of {@link ServerEntry}s. */
    GET_SERVERS(3),
    /** Server to client only, size 0: the request could not be served. */
    ERROR(4),
    /** Empty request, empty reply. */
    KEEPALIVE(5),
    /** Latest revision of the selected image: empty request, reply = u16 RID. The reference server never answers it. */
    LATEST_RID(6),
    /** Empty request, no reply: clears the "peer is a server" flag. */
    SET_CLIENT_MODE(7),
    /** CRC list: empty request, reply = {@link CrcList} or size 0 if the server has none. */
    GET_CRC32(8);

    private final int id;

    Command(int id) {
        this.id = id;
    }

    /** The u16 wire id. */
    public int id() {
        return id;
    }

    /** The command with this wire id, if known. */
    public static Optional<Command> of(int id) {
        for (Command command : values()) {
            if (command.id == id) {
                return Optional.of(command);
            }
        }
        return Optional.empty();
    }

    /** "GET_BLOCK" for a known id, "command 42" for an unknown one: for messages. */
    public static String describe(int id) {
        return of(id).map(Enum::name).orElse("command " + id);
    }
}
