// A dnbd3 streaming load client for benchmarks, run with the JDK's source launcher:
//   java bench/Dnbd3LoadClient.java HOST PORT IMAGE CLIENTS SECONDS [DEPTH] [REQUEST_BYTES]
// Each client opens one connection, selects IMAGE (latest revision), and reads the image
// sequentially (wrapping around) with REQUEST_BYTES GET_BLOCKs, DEPTH of them in flight.
// Prints one line: clients, seconds, total bytes, MB/s. Written from the protocol facts on
// purpose without the project's codec, so it also checks the server against a second reading.
//
// With CLIENTS > 0 and SECONDS = 0 it only connects the clients, selects the image, sends a
// keepalive every 10 s and holds the connections until stdin closes (for RSS measurements).

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

public class Dnbd3LoadClient {
    static final int CMD_GET_BLOCK = 1, CMD_SELECT_IMAGE = 2, CMD_KEEPALIVE = 5;

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String image = args[2];
        int clients = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);
        int depth = args.length > 5 ? Integer.parseInt(args[5]) : 4;
        int requestBytes = args.length > 6 ? Integer.parseInt(args[6]) : 1 << 20;
        InetSocketAddress server = new InetSocketAddress(host, port);

        if (seconds == 0) {
            holdIdle(server, image, clients);
            return;
        }
        AtomicLong total = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    stream(server, image, depth, requestBytes, deadline, total, id);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            System.err.println("load client: " + failures.size() + " client(s) failed, first: " + failures.get(0));
            System.exit(1);
        }
        System.out.printf("clients=%d seconds=%.1f bytes=%d MB/s=%.0f%n", clients, elapsed, total.get(),
                total.get() / elapsed / 1e6);
    }

    static long select(SocketChannel ch, String image) throws IOException {
        byte[] name = image.getBytes(StandardCharsets.UTF_8);
        ByteBuffer req = ByteBuffer.allocate(24 + 2 + name.length + 1 + 2 + 1).order(ByteOrder.LITTLE_ENDIAN);
        req.put((byte) 's').put((byte) 'r').putShort((short) CMD_SELECT_IMAGE).putInt(2 + name.length + 1 + 2 + 1)
                .putLong(0).putLong(0);
        req.putShort((short) 3).put(name).put((byte) 0).putShort((short) 0).put((byte) 0);
        writeAll(ch, req.flip());
        ByteBuffer header = readFully(ch, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN));
        if (header.getShort(0) != 0x7273 || header.getShort(2) != CMD_SELECT_IMAGE) {
            throw new IOException("bad SELECT_IMAGE reply");
        }
        ByteBuffer payload = readFully(ch, ByteBuffer.allocate(header.getInt(4)).order(ByteOrder.LITTLE_ENDIAN));
        return payload.getLong(payload.limit() - 8);
    }

    static void stream(InetSocketAddress server, String image, int depth, int requestBytes, long deadline,
                       AtomicLong total, int id) throws IOException {
        try (SocketChannel ch = SocketChannel.open()) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            ch.connect(server);
            long size = select(ch, image);
            long span = size / requestBytes * requestBytes;
            long offset = (id * 7919L * requestBytes) % span; // clients start at different places
            ByteBuffer request = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer sink = ByteBuffer.allocateDirect(requestBytes);
            int inFlight = 0;
            long handle = 0;
            while (true) {
                boolean more = System.nanoTime() < deadline;
                while (more && inFlight < depth) {
                    request.clear();
                    request.put((byte) 's').put((byte) 'r').putShort((short) CMD_GET_BLOCK).putInt(requestBytes)
                            .putLong(offset).putLong(handle++);
                    writeAll(ch, request.flip());
                    offset = (offset + requestBytes) % span;
                    inFlight++;
                }
                if (inFlight == 0) {
                    return;
                }
                readFully(ch, header.clear());
                if (header.getShort(0) != 0x7273 || header.getShort(2) != CMD_GET_BLOCK || header.getInt(4) != requestBytes) {
                    throw new IOException("unexpected reply: cmd " + header.getShort(2) + " size " + header.getInt(4));
                }
                readFully(ch, sink.clear());
                total.addAndGet(requestBytes);
                inFlight--;
            }
        }
    }

    static void holdIdle(InetSocketAddress server, String image, int clients) throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            SocketChannel ch = SocketChannel.open(server);
            select(ch, image);
            open.add(ch);
        }
        System.out.println("connected=" + open.size());
        System.out.flush();
        Thread keepalive = Thread.ofPlatform().daemon().start(() -> {
            ByteBuffer ka = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer reply = ByteBuffer.allocate(16);
            try {
                while (true) {
                    Thread.sleep(10_000);
                    for (SocketChannel ch : open) {
                        ka.clear().put((byte) 's').put((byte) 'r').putShort((short) CMD_KEEPALIVE).putInt(0).putLong(0).putLong(0);
                        writeAll(ch, ka.flip());
                        readFully(ch, reply.clear());
                    }
                }
            } catch (Exception e) {
                // end of the measurement
            }
        });
        while (System.in.read() >= 0) {
            // hold until stdin closes
        }
        for (SocketChannel ch : open) {
            ch.close();
        }
    }

    static void writeAll(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    static ByteBuffer readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("server closed the connection");
            }
        }
        return b.flip();
    }
}
