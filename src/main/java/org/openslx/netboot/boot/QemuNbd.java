package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * qemu-nbd exporting a raw disk on the host's loopback, for the baseline boot with dracut's own
 * nbd module. {@code --snapshot} sends the client's writes to a throw-away overlay, so the image
 * stays untouched, like our copy-on-write layer.
 */
public final class QemuNbd implements AutoCloseable {
    private final Process process;
    private final int port;

    private QemuNbd(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static QemuNbd serve(Path raw) throws IOException, InterruptedException {
        int port = freePort();
        Process process = new ProcessBuilder(List.of("qemu-nbd", "--format=raw", "--snapshot",
                "--persistent", "--shared=4", "--bind=127.0.0.1", "--port=" + port, raw.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        for (int i = 0; i < 100; i++) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new QemuNbd(process, port);
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("qemu-nbd exited with code " + process.exitValue()
                            + " while starting to serve " + raw);
                }
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IOException("qemu-nbd did not start listening on 127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
