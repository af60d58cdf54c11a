package org.openslx.netboot.block;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openslx.netboot.block.partition.PartitionFinder;
import org.openslx.netboot.block.qcow2.Qcow2Options;
import org.openslx.netboot.block.qcow2.Qcow2Source;
import org.openslx.netboot.dnbd3.client.Dnbd3ClientOptions;
import org.openslx.netboot.dnbd3.client.Dnbd3Source;
import org.openslx.netboot.dnbd3.client.Dnbd3Url;

/**
 * Opens the SOURCE argument of the CLI ({@code slx image info/cat}, {@code slx nbd serve}):
 * a file path (qcow2 detected by its magic, else raw), later also {@code dnbd3://} URLs;
 * optionally narrowed to one partition.
 */
public final class Sources {
    private Sources() {
    }

    /**
     * @param spec a file path (or, once supported, a dnbd3:// URL)
     * @param partition a GPT partition name or filesystem label to narrow to, or null for the whole disk
     */
    public static BlockSource open(String spec, String partition) throws IOException {
        return open(spec, partition, Qcow2Options.DEFAULTS);
    }

    /** As {@link #open(String, String)}, with cache sizes for the qcow2 decoder. */
    public static BlockSource open(String spec, String partition, Qcow2Options options)
            throws IOException {
        BlockSource disk = openDisk(spec, options);
        return partition == null ? disk : narrow(disk, partition);
    }

    /** The disk behind {@code spec}: the guest view if it is a qcow2 image, else the bytes as they are. */
    public static BlockSource openDisk(String spec, Qcow2Options options) throws IOException {
        if (Dnbd3Url.isDnbd3Url(spec)) {
            return decode(Dnbd3Source.open(Dnbd3Url.parse(spec), Dnbd3ClientOptions.forCommandLine()), options);
        }
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            throw new IOException(spec + ": is a directory, not a disk image");
        }
        try {
            return decode(FileSource.openReadOnly(path), options);
        } catch (AccessDeniedException e) {
            throw new IOException(spec + ": permission denied", e);
        }
    }

    /**
     * Wraps {@code image} in the qcow2 decoder if it starts with the qcow2 magic. Takes
     * ownership of {@code image}: it is closed if decoding fails.
     */
    public static BlockSource decode(BlockSource image, Qcow2Options options) throws IOException {
        try {
            return Qcow2Source.hasMagic(image) ? Qcow2Source.open(image, options) : image;
        } catch (IOException | RuntimeException e) {
            closeQuietly(image, e);
            throw e;
        }
    }

    /**
     * The partition of {@code disk} named or labelled {@code partition}. Takes ownership of
     * {@code disk}: it is closed if there is no such partition.
     */
    public static BlockSource narrow(BlockSource disk, String partition) throws IOException {
        try {
            return PartitionFinder.select(disk, partition);
        } catch (IOException | RuntimeException e) {
            closeQuietly(disk, e);
            throw e;
        }
    }

    private static void closeQuietly(BlockSource source, Exception failure) {
        try {
            source.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
