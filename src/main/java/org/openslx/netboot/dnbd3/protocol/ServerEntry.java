package org.openslx.netboot.dnbd3.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One entry of a GET_SERVERS reply, 20 bytes ({@code dnbd3_server_entry_t}): {@code u8 addr[16]}
 * (IPv4 in the first 4 bytes), {@code u16 port} in network order (big-endian, unlike the rest of
 * the protocol), {@code u8 type} (2 = IPv4, 10 = IPv6, 0 = empty slot), {@code u8 failures}
 * (servers send 0; the kernel client drops a server with a non-zero count).
 *
 * @param address resolved IPv4 or IPv6 address
 * @param port TCP port
 * @param failures failure count, 0..255
 */
public record ServerEntry(InetAddress address, int port, int failures) {

    /** Bytes per entry. */
    public static final int SIZE = 20;
    /** Address type of an IPv4 entry (Linux AF_INET). */
    public static final int TYPE_IPV4 = 2;
    /** Address type of an IPv6 entry (Linux AF_INET6). */
    public static final int TYPE_IPV6 = 10;

    public ServerEntry {
        if (address == null) {
            throw new IllegalArgumentException("server entry without address");
        }
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
        if (failures < 0 || failures > 0xff) {
            throw new IllegalArgumentException("failure count " + failures + " does not fit in 8 bits");
        }
    }

    /** An entry with failure count 0. */
    public static ServerEntry of(InetSocketAddress socketAddress) {
        if (socketAddress.isUnresolved()) {
            throw new IllegalArgumentException("server address " + socketAddress + " is not resolved");
        }
        return new ServerEntry(socketAddress.getAddress(), socketAddress.getPort(), 0);
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** Writes the 20 bytes at dst's position. */
    public void encode(ByteBuffer dst) {
        byte[] raw = address.getAddress();
        byte[] field = new byte[16];
        System.arraycopy(raw, 0, field, 0, raw.length);
        dst.put(field);
        dst.put((byte) (port >>> 8)).put((byte) port);
        dst.put((byte) (address instanceof Inet4Address ? TYPE_IPV4 : TYPE_IPV6));
        dst.put((byte) failures);
    }

    /**
     * Reads 20 bytes from src's position; empty if the slot is empty (type 0) or of an address
     * type we do not know (the reference clients skip those too).
     */
    public static Optional<ServerEntry> decode(ByteBuffer src) throws ProtocolException {
        if (src.remaining() < SIZE) {
            throw new ProtocolException("server entry truncated: " + src.remaining() + " of " + SIZE + " bytes");
        }
        byte[] field = new byte[16];
        src.get(field);
        int port = (src.get() & 0xff) << 8 | (src.get() & 0xff);
        int type = src.get() & 0xff;
        int failures = src.get() & 0xff;
        try {
            return switch (type) {
                case TYPE_IPV4 -> Optional.of(new ServerEntry(
                        InetAddress.getByAddress(java.util.Arrays.copyOf(field, 4)), port, failures));
                case TYPE_IPV6 -> Optional.of(new ServerEntry(
                        Inet6Address.getByAddress(null, field, null), port, failures));
                default -> Optional.empty();
            };
        } catch (UnknownHostException e) {
            throw new ProtocolException("server entry has a malformed address: " + e.getMessage());
        }
    }

    /** A GET_SERVERS payload: the entries back to back (at most {@link Dnbd3Protocol#NUMBER_SERVERS}). */
    public static ByteBuffer encodeList(List<ServerEntry> entries) {
        if (entries.size() > Dnbd3Protocol.NUMBER_SERVERS) {
            throw new IllegalArgumentException(entries.size() + " server entries, at most "
                    + Dnbd3Protocol.NUMBER_SERVERS + " fit in one reply");
        }
        ByteBuffer buffer = ByteBuffer.allocate(entries.size() * SIZE);
        entries.forEach(entry -> entry.encode(buffer));
        return buffer.flip();
    }

    /** Decodes a GET_SERVERS payload (all remaining bytes of src), skipping empty slots. */
    public static List<ServerEntry> decodeList(ByteBuffer src) throws ProtocolException {
        if (src.remaining() % SIZE != 0) {
            throw new ProtocolException("GET_SERVERS payload of " + src.remaining()
                    + " bytes is not a whole number of " + SIZE + "-byte entries");
        }
        if (src.remaining() > Dnbd3Protocol.MAX_PAYLOAD) {
            throw new ProtocolException("GET_SERVERS payload of " + src.remaining()
                    + " bytes exceeds the limit of " + Dnbd3Protocol.MAX_PAYLOAD);
        }
        List<ServerEntry> entries = new ArrayList<>();
        while (src.hasRemaining()) {
            decode(src).ifPresent(entries::add);
        }
        return entries;
    }
}
