package org.openslx.netboot.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The JSON behind the status page ({@code /api/status}): server, throughput, images with their
 * revisions and client counts, connected dnbd3 clients, boot bases and recent config fetches.
 * {@code slx image list} reads its "store" and "images" members.
 */
final class StatusReport {
    private final DataFolder folder;
    private final StoreFiles store;
    private final Dnbd3Service dnbd3;
    private final ConfigFetches fetches;
    private final Throughput dnbd3Rate;
    private final Throughput httpRate;
    private final Supplier<Long> httpBytes;
    private final Supplier<List<InetSocketAddress>> listening;
    private final Instant started = Instant.now();

    StatusReport(DataFolder folder, Dnbd3Service dnbd3, ConfigFetches fetches, Throughput dnbd3Rate,
                 Throughput httpRate, Supplier<Long> httpBytes, Supplier<List<InetSocketAddress>> listening) {
        this.folder = folder;
        this.store = new StoreFiles(folder.images());
        this.dnbd3 = dnbd3;
        this.fetches = fetches;
        this.dnbd3Rate = dnbd3Rate;
        this.httpRate = httpRate;
        this.httpBytes = httpBytes;
        this.listening = listening;
    }

    String json() throws IOException {
        List<Dnbd3Service.Client> clients = dnbd3.clients();
        JsonWriter json = new JsonWriter().beginObject();
        json.name("server").beginObject()
                .field("version", version())
                .field("started", started.toString())
                .field("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds())
                .field("data", folder.root().toString())
                .field("store", store.root().toString())
                .field("dnbd3", dnbd3.connections() != null);
        json.name("listen").beginArray();
        for (InetSocketAddress address : listening.get()) {
            json.value(address.getAddress().getHostAddress() + ":" + address.getPort());
        }
        json.endArray().endObject();

        json.name("throughput").beginObject()
                .field("dnbd3BytesPerSecond", dnbd3Rate.bytesPerSecond())
                .field("dnbd3BytesSent", dnbd3.bytesSent())
                .field("httpBytesPerSecond", httpRate.bytesPerSecond())
                .field("httpBytesSent", httpBytes.get())
                .endObject();

        Map<String, Integer> users = new HashMap<>();
        for (Dnbd3Service.Client client : clients) {
            users.merge(client.image() + ".r" + client.rid(), 1, Integer::sum);
        }
        json.name("images").beginArray();
        for (StoredImage image : store.list()) {
            json.beginObject().field("name", image.name()).field("rid", image.rid()).field("size", image.size())
                    .field("crc", image.hasCrcList())
                    .field("clients", users.getOrDefault(image.name() + ".r" + image.rid(), 0))
                    .endObject();
        }
        json.endArray();

        json.name("clients").beginArray();
        for (Dnbd3Service.Client client : clients) {
            json.beginObject().field("address", client.address()).field("image", client.image())
                    .field("rid", client.rid()).field("bytesSent", client.bytesSent())
                    .field("since", client.since().toString()).endObject();
        }
        json.endArray();

        json.name("bases").beginArray();
        for (String base : bases()) {
            Path dir = folder.base(base);
            json.beginObject().field("name", base)
                    .field("config", Files.isRegularFile(dir.resolve(DataFolder.CONFIG)))
                    .field("configTgz", Files.isRegularFile(dir.resolve(DataFolder.CONFIG_TGZ)))
                    .field("kernel", Files.isRegularFile(dir.resolve(DataFolder.KERNEL)))
                    .field("initrd", Files.isRegularFile(dir.resolve(DataFolder.INITRD)))
                    .field("machineConfigs", countFiles(dir.resolve(DataFolder.PER_MACHINE_CONFIGS)))
                    .endObject();
        }
        json.endArray();

        json.name("configFetches").beginArray();
        for (ConfigFetches.Fetch fetch : fetches.recent()) {
            json.beginObject().field("time", fetch.time().toString()).field("address", fetch.address())
                    .field("path", fetch.path()).field("uuid", fetch.uuid()).field("served", fetch.served())
                    .endObject();
        }
        json.endArray();
        return json.endObject().toString();
    }

    /** Folders under boot/ with a valid base name that hold a config or a kernel. */
    private List<String> bases() throws IOException {
        List<String> bases = new ArrayList<>();
        if (!Files.isDirectory(folder.boot())) {
            return bases;
        }
        try (Stream<Path> dirs = Files.walk(folder.boot(), 8)) {
            dirs.filter(Files::isDirectory).forEach(dir -> {
                String name = folder.boot().relativize(dir).toString().replace('\\', '/');
                if (BaseName.isValid(name) && (Files.isRegularFile(dir.resolve(DataFolder.CONFIG))
                        || Files.isRegularFile(dir.resolve(DataFolder.KERNEL)))) {
                    bases.add(name);
                }
            });
        }
        bases.sort(null);
        return bases;
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile).count();
        }
    }

    private static String version() {
        String version = StatusReport.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }
}
