package org.openslx.netboot.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.net.http.HttpResponse;
import org.openslx.netboot.net.http.HttpService;

class PortListenerTest {
    @TempDir
    Path dir;

    @Test
    void onePortServesHttpAndDnbd3ByTheFirstByte() throws Exception {
        Path file = dir.resolve("kernel");
        byte[] content = new byte[100_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7);
        }
        Files.write(file, content);
        ConnectionHandler echoDnbd3 = (channel, head) -> {
            ByteBuffer rest = ByteBuffer.allocate(1);
            channel.read(rest);
            channel.write(ByteBuffer.wrap(new byte[] {head.get(0), rest.get(0)}));
        };
        HttpService http = new HttpService(request -> switch (request.path()) {
            case "/kernel" -> HttpResponse.file(file, "application/octet-stream");
            case "/hello" -> HttpResponse.text(200, "hi " + request.queryParameter("uuid"));
            default -> HttpResponse.notFound();
        });
        try (PortListener listener = PortListener.start(List.of(new InetSocketAddress("127.0.0.1", 0)),
                Map.of(Protocol.HTTP, http, Protocol.DNBD3, echoDnbd3))) {
            int port = listener.boundAddresses().getFirst().getPort();
            HttpClient client = HttpClient.newHttpClient();
            var hello = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello?uuid=a%20b")).build(),
                    BodyHandlers.ofString());
            assertThat(hello.body()).isEqualTo("hi a b");
            var range = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kernel"))
                    .header("Range", "bytes=10-19").build(), BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).containsExactly(java.util.Arrays.copyOfRange(content, 10, 20));
            var whole = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kernel")).build(),
                    BodyHandlers.ofByteArray());
            assertThat(whole.body()).isEqualTo(content);
            var missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nope")).build(),
                    BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);

            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write(new byte[] {0x73, 0x72});
                InputStream in = socket.getInputStream();
                assertThat(in.readNBytes(2)).containsExactly(0x73, 0x72);
            }
        }
    }
}
