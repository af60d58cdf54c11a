package org.openslx.netboot.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a running {@code slx server} says about its images, read from its {@code /api/status}:
 * for {@code slx image list}'s client counts.
 */
public final class RemoteStatus {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    /**
     * @param clientsByRevision clients per "name.rRID", or null when unknown
     * @param note why the counts are unknown, or null
     */
    public record ClientCounts(Map<String, Integer> clientsByRevision, String note) {
        public String of(StoredImage image) {
            if (clientsByRevision == null) {
                return "?";
            }
            return String.valueOf(clientsByRevision.getOrDefault(image.name() + ".r" + image.rid(), 0));
        }
    }

    private RemoteStatus() {
    }

    /** Asks the server at {@code server} (an http:// URL or HOST[:PORT]) about the store at {@code store}. */
    public static ClientCounts clientCounts(String server, Path store) {
        URI uri;
        try {
            uri = URI.create((server.contains("://") ? server : "http://" + server).replaceAll("/+$", "") + "/api/status");
        } catch (IllegalArgumentException e) {
            return new ClientCounts(null, "--server " + server + " is not a URL");
        }
        String body;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new ClientCounts(null, uri + " answered " + response.statusCode());
            }
            body = response.body();
        } catch (IOException e) {
            return new ClientCounts(null, "no slx server answered at " + uri + " (give one with --server)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ClientCounts(null, "interrupted");
        }
        try {
            return parse(body, store, uri);
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            return new ClientCounts(null, uri + " did not answer like slx server: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    static ClientCounts parse(String json, Path store, URI uri) {
        Map<String, Object> status = (Map<String, Object>) JsonReader.parse(json);
        Map<String, Object> server = (Map<String, Object>) status.get("server");
        String theirStore = (String) server.get("store");
        if (!sameFolder(Path.of(theirStore), store)) {
            return new ClientCounts(null, "the server at " + uri + " serves another store (" + theirStore + ")");
        }
        Map<String, Integer> counts = new HashMap<>();
        for (Object item : (List<Object>) status.get("images")) {
            Map<String, Object> image = (Map<String, Object>) item;
            counts.put(image.get("name") + ".r" + image.get("rid"), ((Number) image.get("clients")).intValue());
        }
        return new ClientCounts(counts, null);
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
