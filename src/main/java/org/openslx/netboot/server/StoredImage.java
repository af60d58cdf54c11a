package org.openslx.netboot.server;

import java.nio.file.Path;

/**
 * One revision of an image in the store.
 *
 * @param name the public name (path under the store without ".r&lt;rid&gt;")
 * @param rid the revision, 1..65535
 * @param file the image file
 * @param size its size in bytes
 * @param hasCrcList whether a {@code .crc} list lies beside it
 */
public record StoredImage(String name, int rid, Path file, long size, boolean hasCrcList) {
}
