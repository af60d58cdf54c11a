package org.openslx.netboot.dnbd3.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.openslx.netboot.dnbd3.protocol.CrcList;
import org.openslx.netboot.dnbd3.protocol.Dnbd3Protocol;

/**
 * One loaded image revision: its open file, sizes and CRC list. Clients hold it between
 * {@link ImageStore#acquire} and {@link #release()}; an image replaced on disk is retired and its
 * file closed once the last client has let go, so readers never see a closed channel.
 */
public final class Image {
    private static final System.Logger LOG = System.getLogger(Image.class.getName());
    private static final int CLOSED = -1;

    private final String name;
    private final int rid;
    private final Path file;
    private final long realSize;
    private final FileTime modified;
    private final FileChannel channel;
    private final CrcList crcList;
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean retired;

    Image(String name, int rid, Path file, long realSize, FileTime modified, FileChannel channel, CrcList crcList) {
        this.name = name;
        this.rid = rid;
        this.file = file;
        this.realSize = realSize;
        this.modified = modified;
        this.channel = channel;
        this.crcList = crcList;
    }

    /** The public name, e.g. {@code rz/win10.qcow2}. */
    public String name() {
        return name;
    }

    public int rid() {
        return rid;
    }

    /** The image file (real path, inside the base folder). */
    public Path file() {
        return file;
    }

    /** Size of the file. */
    public long realSize() {
        return realSize;
    }

    /** Size announced to clients: the file size rounded up to 4 KiB. */
    public long virtualSize() {
        return Dnbd3Protocol.virtualSize(realSize);
    }

    /** The CRC list from the {@code .crc} file next to the image, if it is present and valid. */
    public Optional<CrcList> crcList() {
        return Optional.ofNullable(crcList);
    }

    /** Connected clients using this image. */
    public int users() {
        return Math.max(0, users.get());
    }

    FileTime modified() {
        return modified;
    }

    FileChannel channel() {
        return channel;
    }

    /** Takes a use; false if the image was retired and closed meanwhile. */
    boolean acquire() {
        while (true) {
            int n = users.get();
            if (n == CLOSED) {
                return false;
            }
            if (users.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives a use back; the last user of a retired image closes its file. */
    public void release() {
        if (users.decrementAndGet() == 0 && retired) {
            closeIfUnused();
        }
    }

    /** No new users from now on; the file closes when the last one leaves. */
    void retire() {
        retired = true;
        closeIfUnused();
    }

    private void closeIfUnused() {
        if (users.compareAndSet(0, CLOSED)) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing " + file + ": " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return name + ":" + rid;
    }
}
