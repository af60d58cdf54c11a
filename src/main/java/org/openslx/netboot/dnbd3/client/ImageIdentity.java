package org.openslx.netboot.dnbd3.client;

import org.openslx.netboot.dnbd3.protocol.SelectImageReply;

/**
 * The image version the client is pinned to: canonical name, revision and size, as the first
 * server answered them. Every later connection must answer exactly these, or its data would be
 * from another image version.
 *
 * @param name the canonical image name
 * @param rid the revision, never 0
 * @param size the virtual size in bytes
 */
record ImageIdentity(String name, int rid, long size) {

    static ImageIdentity of(SelectImageReply reply) {
        return new ImageIdentity(reply.name(), reply.rid(), reply.imageSize());
    }

    /** Why {@code reply} is another image version than this one, or null if it is the same. */
    String mismatch(SelectImageReply reply) {
        if (!reply.name().equals(name)) {
            return "it offers image '" + reply.name() + "' instead of '" + name + "'";
        }
        if (reply.rid() != rid) {
            return "it offers revision " + reply.rid() + " of '" + name + "', but this client reads revision " + rid;
        }
        if (reply.imageSize() != size) {
            return "its revision " + rid + " of '" + name + "' has " + reply.imageSize()
                    + " bytes, but this client pinned " + size + " bytes";
        }
        return null;
    }

    @Override
    public String toString() {
        return "'" + name + "' revision " + rid + " (" + size + " bytes)";
    }
}
