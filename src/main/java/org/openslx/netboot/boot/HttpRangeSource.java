package org.openslx.netboot.boot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.openslx.netboot.block.BlockSource;

/**
 * An image file read over HTTP with Range requests. INTERIM: the root daemon's image transport
 * until the dnbd3 client lands on main; it has none of dnbd3's failover. Each read is one ranged
 * GET, retried a few times on failure.
 */
public final class HttpRangeSource implements BlockSource {
    private static final int ATTEMPTS = 5;

    private final URI uri;
    private final HttpClient client;
    private final long size;

    private HttpRangeSource(URI uri, HttpClient client, long size) {
        this.uri = uri;
        this.client = client;
        this.size = size;
    }

    public static HttpRangeSource open(URI uri) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest head = HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<Void> response = client.send(head, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IOException(uri + ": HTTP " + response.statusCode());
            }
            long size = response.headers().firstValueAsLong("Content-Length")
                    .orElseThrow(() -> new IOException(uri + ": no Content-Length"));
            return new HttpRangeSource(uri, client, size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(uri + ": interrupted", e);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        int length = dst.remaining();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1))
                .timeout(Duration.ofSeconds(30)).build();
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                byte[] body = response.body();
                if (response.statusCode() != 206 || body.length != length) {
                    throw new IOException(describe() + ": range " + offset + "+" + length + " answered with HTTP "
                            + response.statusCode() + " and " + body.length + " bytes");
                }
                dst.put(body);
                return;
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(describe() + ": interrupted", e);
            }
        }
        throw last;
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public void close() {
        client.close();
    }
}
