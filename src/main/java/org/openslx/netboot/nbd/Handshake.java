package org.openslx.netboot.nbd;

import static org.openslx.netboot.nbd.NbdProtocol.*;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fixed newstyle handshake: greeting, client flags, then options until the client picks
 * the export (GO or EXPORT_NAME) or leaves (ABORT). Unknown options get {@code ERR_UNSUP} and
 * negotiation goes on, as the protocol's baseline demands.
 */
final class Handshake {
    /** Export names are at most 4096 bytes; an option carrying more than this is abuse. */
    static final int MAX_OPTION_LENGTH = 64 * 1024;
    private static final int EXPORT_NAME_REPLY_ZEROES = 124;

    /**
     * What the client chose: the reply style, the export name it asked for, and whether it
     * selected the {@code base:allocation} context (so it may send BLOCK_STATUS).
     */
    record Negotiated(boolean structuredReplies, String requestedName, boolean baseAllocation) {
    }

    private final ChannelReader in;
    private final GatheringByteChannel out;
    private final Export export;
    private boolean structuredReplies;
    private boolean baseAllocation;

    Handshake(ChannelReader in, GatheringByteChannel out, Export export) {
        this.in = in;
        this.out = out;
        this.export = export;
    }

    /** Runs the negotiation; empty if the client aborted it. */
    Optional<Negotiated> run() throws IOException {
        send(ByteBuffer.allocate(18).putLong(NBDMAGIC).putLong(IHAVEOPT)
                .putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip());
        int clientFlags = in.readInt();
        if ((clientFlags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
            throw new ProtocolViolation(String.format("unknown client flags 0x%08x in the handshake", clientFlags));
        }
        boolean noZeroes = (clientFlags & FLAG_C_NO_ZEROES) != 0;
        while (true) {
            long magic = in.readLong();
            if (magic != IHAVEOPT) {
                throw new ProtocolViolation(String.format("an option with bad magic 0x%016x", magic));
            }
            int option = in.readInt();
            long length = Integer.toUnsignedLong(in.readInt());
            if (length > MAX_OPTION_LENGTH) {
                throw new ProtocolViolation("an option (" + option + ") with " + length
                        + " bytes of data (at most " + MAX_OPTION_LENGTH + " accepted)");
            }
            ByteBuffer data = ByteBuffer.wrap(in.readBytes((int) length));
            switch (option) {
                case OPT_EXPORT_NAME -> {
                    sendExportNameReply(noZeroes);
                    return Optional.of(new Negotiated(structuredReplies, utf8(data), baseAllocation));
                }
                case OPT_ABORT -> {
                    reply(option, REP_ACK, ByteBuffer.allocate(0));
                    return Optional.empty();
                }
                case OPT_LIST -> list(data);
                case OPT_STRUCTURED_REPLY -> {
                    if (data.hasRemaining()) {
                        replyError(option, REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
                    } else {
                        structuredReplies = true;
                        reply(option, REP_ACK, ByteBuffer.allocate(0));
                    }
                }
                case OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT -> metaContext(option, data);
                case OPT_INFO, OPT_GO -> {
                    Optional<String> chosen = info(option, data);
                    if (option == OPT_GO && chosen.isPresent()) {
                        return Optional.of(new Negotiated(structuredReplies, chosen.get(), baseAllocation));
                    }
                }
                default -> replyError(option, REP_ERR_UNSUP, "option " + option + " is not supported");
            }
        }
    }

    private void list(ByteBuffer data) throws IOException {
        if (data.hasRemaining()) {
            replyError(OPT_LIST, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
        }
        byte[] name = export.name().getBytes(StandardCharsets.UTF_8);
        reply(OPT_LIST, REP_SERVER, ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).flip());
        reply(OPT_LIST, REP_ACK, ByteBuffer.allocate(0));
    }

    /**
     * Answers LIST_META_CONTEXT and SET_META_CONTEXT. The one context is {@code base:allocation};
     * LIST with no queries, or the query {@code base:}, lists it; SET selects it when asked for by
     * its full name and replaces any earlier selection. Other queries match nothing, as the
     * protocol asks. SET needs structured replies first: BLOCK_STATUS can only answer in them.
     */
    private void metaContext(int option, ByteBuffer data) throws IOException {
        String optionName = option == OPT_SET_META_CONTEXT ? "NBD_OPT_SET_META_CONTEXT" : "NBD_OPT_LIST_META_CONTEXT";
        List<String> queries = new ArrayList<>();
        try {
            readString(data); // the export name: every name is our one export
            long count = Integer.toUnsignedLong(data.getInt());
            if (count > data.remaining() / 4) {
                throw new BufferUnderflowException();
            }
            for (long i = 0; i < count; i++) {
                queries.add(readString(data));
            }
            if (data.hasRemaining()) {
                throw new BufferUnderflowException();
            }
        } catch (BufferUnderflowException e) {
            replyError(option, REP_ERR_INVALID, "malformed " + optionName + " request (" + data.capacity() + " bytes)");
            return;
        }
        if (option == OPT_SET_META_CONTEXT && !structuredReplies) {
            replyError(option, REP_ERR_INVALID, optionName + " needs structured replies (NBD_OPT_STRUCTURED_REPLY) first");
            return;
        }
        boolean matches = option == OPT_LIST_META_CONTEXT
                ? queries.isEmpty() || queries.contains("base:") || queries.contains(BASE_ALLOCATION)
                : queries.contains(BASE_ALLOCATION);
        if (option == OPT_SET_META_CONTEXT) {
            baseAllocation = matches;
        }
        if (matches) {
            byte[] name = BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_META_CONTEXT,
                    ByteBuffer.allocate(4 + name.length).putInt(BASE_ALLOCATION_ID).put(name).flip());
        }
        reply(option, REP_ACK, ByteBuffer.allocate(0));
    }

    /** A string of the option data: a 32-bit length, then that many bytes of UTF-8. */
    private static String readString(ByteBuffer data) {
        int length = data.getInt();
        if (length < 0 || length > data.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] bytes = new byte[length];
        data.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Answers INFO or GO: the export's size and flags, its block sizes, and name and
     * description if asked for. Returns the requested name if the request was well-formed.
     */
    private Optional<String> info(int option, ByteBuffer data) throws IOException {
        String name;
        boolean wantsName = false;
        boolean wantsDescription = false;
        try {
            int nameLength = data.getInt();
            if (nameLength < 0 || nameLength > data.remaining() - 2) {
                throw new BufferUnderflowException();
            }
            byte[] nameBytes = new byte[nameLength];
            data.get(nameBytes);
            name = new String(nameBytes, StandardCharsets.UTF_8);
            int requests = Short.toUnsignedInt(data.getShort());
            if (data.remaining() != requests * 2) {
                throw new BufferUnderflowException();
            }
            for (int i = 0; i < requests; i++) {
                short type = data.getShort();
                wantsName |= type == INFO_NAME;
                wantsDescription |= type == INFO_DESCRIPTION;
            }
        } catch (BufferUnderflowException e) {
            replyError(option, REP_ERR_INVALID, "malformed NBD_OPT_INFO/GO request (" + data.capacity() + " bytes)");
            return Optional.empty();
        }
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort(INFO_EXPORT)
                .putLong(export.source().size()).putShort(export.transmissionFlags()).flip());
        // Sent even when not asked: it only describes what any client may do anyway.
        reply(option, REP_INFO, ByteBuffer.allocate(14).putShort(INFO_BLOCK_SIZE).putInt(MIN_BLOCK_SIZE)
                .putInt(PREFERRED_BLOCK_SIZE).putInt(MAX_REQUEST_LENGTH).flip());
        if (wantsName) {
            replyInfoString(option, INFO_NAME, export.name());
        }
        if (wantsDescription) {
            replyInfoString(option, INFO_DESCRIPTION, export.source().describe());
        }
        reply(option, REP_ACK, ByteBuffer.allocate(0));
        return Optional.of(name);
    }

    private void sendExportNameReply(boolean noZeroes) throws IOException {
        ByteBuffer reply = ByteBuffer.allocate(10 + (noZeroes ? 0 : EXPORT_NAME_REPLY_ZEROES));
        reply.putLong(export.source().size()).putShort(export.transmissionFlags());
        send(reply.position(reply.capacity()).flip());
    }

    private void replyInfoString(int option, short type, String value) throws IOException {
        byte[] bytes = truncatedUtf8(value);
        reply(option, REP_INFO, ByteBuffer.allocate(2 + bytes.length).putShort(type).put(bytes).flip());
    }

    private void replyError(int option, int type, String message) throws IOException {
        reply(option, type, ByteBuffer.wrap(truncatedUtf8(message)));
    }

    private void reply(int option, int type, ByteBuffer data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(20).putLong(OPTION_REPLY_MAGIC).putInt(option).putInt(type)
                .putInt(data.remaining()).flip();
        send(header, data);
    }

    private void send(ByteBuffer... parts) throws IOException {
        long total = 0;
        for (ByteBuffer part : parts) {
            total += part.remaining();
        }
        while (total > 0) {
            total -= out.write(parts);
        }
    }

    private static String utf8(ByteBuffer data) {
        return StandardCharsets.UTF_8.decode(data).toString();
    }

    /** Strings in the protocol are at most 4096 bytes. */
    private static byte[] truncatedUtf8(String value) {
        String text = value.length() > 1000 ? value.substring(0, 1000) : value;
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
