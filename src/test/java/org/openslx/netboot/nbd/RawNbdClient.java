package org.openslx.netboot.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A hand-made NBD client over a unix socket for what real clients never do: garbage, bad
 * magic, oversized requests, vanishing mid-request. Well-behaved clients in the tests are the
 * real ones (nbdcopy, nbdsh, qemu-img); this one also serves as "another client" that must
 * keep working, speaking the kernel's dialect (GO, then simple replies).
 */
final class RawNbdClient implements Closeable {
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    record OptionReply(int option, int type, byte[] data) {
    }

    record SimpleReply(int error, long handle) {
    }

    record Chunk(short flags, short type, long handle, byte[] payload) {
    }

    final SocketChannel channel;
    final DataInputStream in;
    final DataOutputStream out;
    long size;
    short transmissionFlags;

    private RawNbdClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(Channels.newInputStream(channel));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 65536));
    }

    static RawNbdClient connect(Path socket) throws IOException {
        return new RawNbdClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    /** Connects, negotiates fixed newstyle with NO_ZEROES, and enters transmission with GO. */
    static RawNbdClient connectAndGo(Path socket) throws IOException {
        RawNbdClient client = connect(socket);
        client.greet();
        client.go();
        return client;
    }

    /** Reads the server greeting and answers with FIXED_NEWSTYLE | NO_ZEROES. */
    void greet() throws IOException {
        assertThat(in.readLong()).isEqualTo(NBDMAGIC);
        assertThat(in.readLong()).isEqualTo(IHAVEOPT);
        assertThat(in.readShort() & 3).isEqualTo(3);
        out.writeInt(3);
        out.flush();
    }

    void sendOption(int option, byte[] data) throws IOException {
        out.writeLong(IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    OptionReply readOptionReply() throws IOException {
        assertThat(in.readLong()).isEqualTo(OPTION_REPLY_MAGIC);
        int option = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new OptionReply(option, type, data);
    }

    void enableStructuredReplies() throws IOException {
        sendOption(8, new byte[0]);
        assertThat(readOptionReply().type()).isEqualTo(1);
    }

    /** NBD_OPT_GO for the default export; reads the replies up to the final ACK. */
    void go() throws IOException {
        sendOption(7, new byte[] {0, 0, 0, 0, 0, 0});
        while (true) {
            OptionReply reply = readOptionReply();
            if (reply.type() == 1) {
                return;
            }
            assertThat(reply.type()).as("GO reply type").isEqualTo(3);
            java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(reply.data());
            if (data.getShort() == 0) {
                size = data.getLong();
                transmissionFlags = data.getShort();
            }
        }
    }

    void sendRequest(int flags, int type, long handle, long offset, long length) throws IOException {
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeLong(offset);
        out.writeInt((int) length);
        out.flush();
    }

    SimpleReply readSimpleReply() throws IOException {
        assertThat(in.readInt()).as("simple reply magic").isEqualTo(SIMPLE_REPLY_MAGIC);
        return new SimpleReply(in.readInt(), in.readLong());
    }

    Chunk readChunk() throws IOException {
        assertThat(in.readInt()).as("structured reply magic").isEqualTo(STRUCTURED_REPLY_MAGIC);
        short flags = in.readShort();
        short type = in.readShort();
        long handle = in.readLong();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new Chunk(flags, type, handle, payload);
    }

    byte[] readBytes(int length) throws IOException {
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    /** A READ with simple replies: returns the data, fails on an error reply. */
    byte[] read(long offset, int length) throws IOException {
        long handle = offset ^ 0x1234;
        sendRequest(0, 0, handle, offset, length);
        SimpleReply reply = readSimpleReply();
        assertThat(reply).isEqualTo(new SimpleReply(0, handle));
        return readBytes(length);
    }

    /** Reads until the server closes the connection; fails the test (by timeout) if it never does. */
    void assertServerHangsUp() throws IOException {
        try {
            while (in.read() >= 0) {
                // Drain whatever the server sent before hanging up.
            }
        } catch (EOFException e) {
            return;
        } catch (IOException e) {
            // Connection reset: also a hang-up.
        }
    }

    /** Bytes written here go out at once, unbuffered. */
    OutputStream rawOut() {
        return Channels.newOutputStream(channel);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
