package org.openslx.netboot.net.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.openslx.netboot.net.ConnectionHandler;
import org.openslx.netboot.net.ZeroCopy;

/**
 * A small HTTP/1.1 server for one connection at a time (the {@link org.openslx.netboot.net.PortListener}
 * gives each connection its own virtual thread): GET and HEAD, keep-alive, single byte ranges,
 * files sent zero-copy with {@link FileChannel#transferTo}. It exists because the JDK's HTTP
 * server cannot share a port with dnbd3; it carries no request bodies.
 */
public final class HttpService implements ConnectionHandler {
    private static final int IDLE_TIMEOUT_MILLIS = 30_000;

    private final HttpHandler handler;
    private final RequestLog log;

    public HttpService(HttpHandler handler, RequestLog log) {
        this.handler = handler;
        this.log = log;
    }

    public HttpService(HttpHandler handler) {
        this(handler, RequestLog.toSystemLogger());
    }

    @Override
    public void serve(SocketChannel channel, ByteBuffer head) throws IOException {
        byte[] first = new byte[head.remaining()];
        head.get(first);
        channel.socket().setSoTimeout(IDLE_TIMEOUT_MILLIS);
        InputStream in = new SequenceInputStream(new ByteArrayInputStream(first),
                new BufferedInputStream(channel.socket().getInputStream()));
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        while (true) {
            HttpRequest request;
            try {
                request = RequestParser.read(in, remote);
            } catch (RequestParser.BadRequest e) {
                send(channel, null, HttpResponse.text(400, "bad request: " + e.getMessage() + "\n"), false);
                return;
            } catch (SocketTimeoutException e) {
                return;
            }
            if (request == null) {
                return;
            }
            long start = System.nanoTime();
            HttpResponse response;
            if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
                response = HttpResponse.text(405, "only GET and HEAD are served here\n");
            } else {
                try {
                    response = handler.handle(request);
                } catch (NoSuchFileException e) {
                    response = HttpResponse.notFound();
                } catch (IOException | RuntimeException e) {
                    response = HttpResponse.text(500, "internal error\n");
                    System.getLogger(HttpService.class.getName()).log(System.Logger.Level.WARNING,
                            request.method() + " " + request.rawPath() + " failed: " + e);
                }
            }
            boolean keepAlive = !"close".equalsIgnoreCase(request.header("connection"))
                    && (response.status() < 400 || response.status() == 404);
            Sent sent = send(channel, request, response, keepAlive);
            log.completed(request, sent.status, sent.bodyBytes, System.nanoTime() - start);
            boolean mayCarryBody = !request.method().equals("GET") && !request.method().equals("HEAD");
            if (!keepAlive || mayCarryBody) {
                return;
            }
        }
    }

    private record Sent(int status, long bodyBytes) {
    }

    private static Sent send(SocketChannel channel, HttpRequest request, HttpResponse response, boolean keepAlive)
            throws IOException {
        boolean head = request != null && request.method().equals("HEAD");
        return switch (response) {
            case HttpResponse.Bytes bytes -> {
                writeHead(channel, bytes.status(), bytes.contentType(), bytes.body().length, bytes.headers(), null, keepAlive);
                if (!head) {
                    writeFully(channel, ByteBuffer.wrap(bytes.body()));
                }
                yield new Sent(bytes.status(), head ? 0 : bytes.body().length);
            }
            case HttpResponse.File file -> sendFile(channel, request, file, head, keepAlive);
        };
    }

    private static Sent sendFile(SocketChannel channel, HttpRequest request, HttpResponse.File file, boolean head,
                                 boolean keepAlive) throws IOException {
        try (FileChannel data = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            long size = data.size();
            ByteRange range = ByteRange.parse(request == null ? null : request.header("range"), size);
            if (range == ByteRange.UNSATISFIABLE) {
                writeHead(channel, 416, "text/plain", 0, Map.of("Content-Range", "bytes */" + size), null, keepAlive);
                return new Sent(416, 0);
            }
            int status = range == null ? file.status() : 206;
            long from = range == null ? 0 : range.first();
            long length = range == null ? size : range.length();
            String contentRange = range == null ? null : "bytes " + range.first() + "-" + range.last() + "/" + size;
            writeHead(channel, status, file.contentType(), length, file.headers(), contentRange, keepAlive);
            if (head) {
                return new Sent(status, 0);
            }
            try {
                ZeroCopy.send(data, from, length, channel);
            } catch (java.io.EOFException e) {
                throw new IOException(file.path() + " ended early while sending it", e);
            }
            return new Sent(status, length);
        }
    }

    private static void writeHead(SocketChannel channel, int status, String contentType, long length,
                                  Map<String, String> extra, String contentRange, boolean keepAlive)
            throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        head.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)))
                .append("\r\n");
        head.append("Server: slx-netboot\r\n");
        head.append("Content-Type: ").append(contentType).append("\r\n");
        head.append("Content-Length: ").append(length).append("\r\n");
        head.append("Accept-Ranges: bytes\r\n");
        if (contentRange != null) {
            head.append("Content-Range: ").append(contentRange).append("\r\n");
        }
        extra.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n\r\n");
        writeFully(channel, ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 416 -> "Range Not Satisfiable";
            case 500 -> "Internal Server Error";
            default -> "Status";
        };
    }
}
