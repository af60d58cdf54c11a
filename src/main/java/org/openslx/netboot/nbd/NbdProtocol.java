package org.openslx.netboot.nbd;

/**
 * The numbers of the NBD protocol, named as in its specification (NetworkBlockDevice/nbd,
 * doc/proto.md) without the {@code NBD_} prefix. Only what this server speaks is here.
 */
final class NbdProtocol {
    private NbdProtocol() {
    }

    // Handshake: the server's greeting and the options the client sends.
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;

    static final short FLAG_FIXED_NEWSTYLE = 1 << 0;
    static final short FLAG_NO_ZEROES = 1 << 1;
    static final int FLAG_C_FIXED_NEWSTYLE = 1 << 0;
    static final int FLAG_C_NO_ZEROES = 1 << 1;

    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_LIST_META_CONTEXT = 9;
    static final int OPT_SET_META_CONTEXT = 10;

    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_ERR_UNSUP = 0x80000001;
    static final int REP_ERR_INVALID = 0x80000003;
    static final int REP_ERR_TOO_BIG = 0x8000000a;

    /** The one metadata context we serve: which ranges are holes and read as zeros. */
    static final String BASE_ALLOCATION = "base:allocation";
    /** The id our replies give it (any number the server chooses). */
    static final int BASE_ALLOCATION_ID = 1;
    static final int STATE_HOLE = 1 << 0;
    static final int STATE_ZERO = 1 << 1;

    static final short INFO_EXPORT = 0;
    static final short INFO_NAME = 1;
    static final short INFO_DESCRIPTION = 2;
    static final short INFO_BLOCK_SIZE = 3;

    /** Block size constraints we advertise: any alignment works, 4 KiB is efficient. */
    static final int MIN_BLOCK_SIZE = 1;
    static final int PREFERRED_BLOCK_SIZE = 4096;
    /** The largest READ or WRITE we accept: the protocol's portable maximum of 32 MiB. */
    static final int MAX_REQUEST_LENGTH = 32 * 1024 * 1024;

    // Transmission flags, sent with the export's size.
    static final short FLAG_HAS_FLAGS = 1 << 0;
    static final short FLAG_READ_ONLY = 1 << 1;
    static final short FLAG_SEND_FLUSH = 1 << 2;
    static final short FLAG_SEND_FUA = 1 << 3;
    static final short FLAG_SEND_TRIM = 1 << 5;
    static final short FLAG_CAN_MULTI_CONN = 1 << 8;

    // Transmission: requests and replies.
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    static final int REQUEST_HEADER_LENGTH = 28;
    static final int SIMPLE_REPLY_LENGTH = 16;
    static final int CHUNK_HEADER_LENGTH = 20;

    static final short CMD_READ = 0;
    static final short CMD_WRITE = 1;
    static final short CMD_DISC = 2;
    static final short CMD_FLUSH = 3;
    static final short CMD_TRIM = 4;
    static final short CMD_BLOCK_STATUS = 7;

    static final short CMD_FLAG_FUA = 1 << 0;
    static final short CMD_FLAG_REQ_ONE = 1 << 3;

    static final short REPLY_FLAG_DONE = 1 << 0;
    static final short REPLY_TYPE_NONE = 0;
    static final short REPLY_TYPE_OFFSET_DATA = 1;
    static final short REPLY_TYPE_BLOCK_STATUS = 5;
    static final short REPLY_TYPE_ERROR = (short) 0x8001;

    // Error values of replies (errno-like, but fixed by the protocol).
    static final int EPERM = 1;
    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;

    /** Command names for log lines. */
    static String commandName(short type) {
        return switch (type) {
            case CMD_READ -> "READ";
            case CMD_WRITE -> "WRITE";
            case CMD_DISC -> "DISC";
            case CMD_FLUSH -> "FLUSH";
            case CMD_TRIM -> "TRIM";
            case CMD_BLOCK_STATUS -> "BLOCK_STATUS";
            default -> "command " + type;
        };
    }
}
