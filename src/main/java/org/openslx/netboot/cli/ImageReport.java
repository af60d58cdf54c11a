package org.openslx.netboot.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.openslx.netboot.block.BlockSource;
import org.openslx.netboot.block.partition.Filesystem;
import org.openslx.netboot.block.partition.FilesystemProbe;
import org.openslx.netboot.block.partition.Partition;
import org.openslx.netboot.block.partition.PartitionFinder;
import org.openslx.netboot.block.partition.PartitionTable;
import org.openslx.netboot.block.partition.PartitionTables;
import org.openslx.netboot.block.partition.PartitionType;
import org.openslx.netboot.block.qcow2.Qcow2Header;
import org.openslx.netboot.block.qcow2.Qcow2Snapshot;
import org.openslx.netboot.block.qcow2.Qcow2Source;
import org.openslx.netboot.util.ByteSizes;

/**
 * What {@code slx image info} reports about a disk: one model (maps and lists, the shape of the
 * JSON output) and its rendering as text for people.
 */
final class ImageReport {
    private ImageReport() {
    }

    static Map<String, Object> of(String spec, BlockSource disk) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("source", spec);
        if (disk instanceof Qcow2Source qcow2) {
            Qcow2Header header = qcow2.header();
            report.put("format", "qcow2");
            report.put("qcow2_version", header.version());
            report.put("virtual_size", disk.size());
            report.put("file_size", qcow2.image().size());
            report.put("cluster_size", header.clusterSize());
            report.put("compression_type", header.compression().label());
            report.put("features", header.featureNames());
            List<Object> snapshots = new ArrayList<>();
            for (Qcow2Snapshot snapshot : qcow2.snapshots()) {
                snapshots.add(ordered("id", snapshot.id(), "name", snapshot.name()));
            }
            report.put("snapshots", snapshots);
        } else {
            report.put("format", "raw");
            report.put("virtual_size", disk.size());
            report.put("file_size", disk.size());
        }
        addPartitions(report, disk);
        return report;
    }

    private static void addPartitions(Map<String, Object> report, BlockSource disk) throws IOException {
        Optional<PartitionTable> table;
        try {
            table = PartitionTables.read(disk);
        } catch (IOException e) {
            // A damaged table should not hide what is known about the image itself.
            report.put("partition_table", null);
            report.put("partition_table_error", e.getMessage());
            return;
        }
        report.put("partition_table", table.map(t -> t.scheme().label()).orElse(null));
        List<Object> partitions = new ArrayList<>();
        if (table.isPresent()) {
            for (PartitionFinder.Found found : PartitionFinder.list(disk, table.get())) {
                partitions.add(partition(found));
            }
        } else {
            report.put("filesystem", FilesystemProbe.probe(disk).map(ImageReport::filesystem).orElse(null));
        }
        report.put("partitions", partitions);
    }

    private static Map<String, Object> partition(PartitionFinder.Found found) {
        Partition p = found.partition();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("number", p.number());
        map.put("name", p.name());
        switch (p.type()) {
            case PartitionType.Gpt gpt -> map.put("type_guid", gpt.guid().toString());
            case PartitionType.Mbr mbr -> map.put("mbr_type", String.format(Locale.ROOT, "0x%02x", mbr.code()));
        }
        map.put("type", p.type().describe());
        map.put("offset", p.offset());
        map.put("size", p.length());
        map.put("filesystem", found.filesystem().map(ImageReport::filesystem).orElse(null));
        return map;
    }

    private static Map<String, Object> filesystem(Filesystem fs) {
        return ordered("type", fs.type(), "label", fs.label(), "uuid", fs.uuid());
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** The report as aligned "field: value" lines and a partition table. */
    @SuppressWarnings("unchecked")
    static String text(Map<String, Object> r) {
        StringBuilder out = new StringBuilder();
        line(out, "source", r.get("source"));
        boolean qcow2 = "qcow2".equals(r.get("format"));
        line(out, "format", qcow2 ? "qcow2 (version " + r.get("qcow2_version") + ")" : "raw");
        line(out, "virtual size", size((Long) r.get("virtual_size")));
        line(out, "file size", size((Long) r.get("file_size")));
        if (qcow2) {
            line(out, "cluster size", ByteSizes.format((Integer) r.get("cluster_size")));
            line(out, "compression", r.get("compression_type") + " (for compressed clusters)");
            List<String> features = (List<String>) r.get("features");
            line(out, "features", features.isEmpty() ? "none" : String.join(", ", features));
            List<Map<String, Object>> snapshots = (List<Map<String, Object>>) r.get("snapshots");
            line(out, "snapshots", snapshots.isEmpty() ? "none"
                    : String.join(", ", snapshots.stream().map(s -> (String) s.get("name")).toList())
                            + " (reads show the active state)");
        }
        if (r.containsKey("partition_table_error")) {
            line(out, "partitions", "unreadable: " + r.get("partition_table_error"));
            return out.toString();
        }
        Object scheme = r.get("partition_table");
        if (scheme == null) {
            Map<String, Object> fs = (Map<String, Object>) r.get("filesystem");
            line(out, "partitions", "none");
            line(out, "filesystem", fs == null ? "none recognised" : fsText(fs));
            return out.toString();
        }
        List<Map<String, Object>> partitions = (List<Map<String, Object>>) r.get("partitions");
        line(out, "partitions", ((String) scheme).toUpperCase(Locale.ROOT) + ", " + partitions.size());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "name", "type", "offset", "size", "filesystem"});
        for (Map<String, Object> p : partitions) {
            Map<String, Object> fs = (Map<String, Object>) p.get("filesystem");
            rows.add(new String[] {String.valueOf(p.get("number")), (String) p.get("name"),
                    (String) p.get("type"), ByteSizes.format((Long) p.get("offset")),
                    ByteSizes.format((Long) p.get("size")), fs == null ? "-" : fsText(fs)});
        }
        table(out, rows);
        return out.toString();
    }

    private static String fsText(Map<String, Object> fs) {
        String label = (String) fs.get("label");
        return fs.get("type") + (label.isEmpty() ? "" : " \"" + label + "\"");
    }

    private static String size(long bytes) {
        return ByteSizes.format(bytes) + " (" + bytes + " bytes)";
    }

    private static void line(StringBuilder out, String field, Object value) {
        out.append(String.format(Locale.ROOT, "%-14s%s%n", field + ":", value));
    }

    private static void table(StringBuilder out, List<String[]> rows) {
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                line.append(String.format(Locale.ROOT, "%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
    }
}
