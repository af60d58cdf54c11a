package org.openslx.netboot.stage3.network;

/** A small text file stage3 writes: its name (relative to a directory) and its content. */
public record GeneratedFile(String name, String content) {
}
