package org.openslx.netboot.server;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The most recent config fetches, newest first, for the status page. */
final class ConfigFetches {
    static final int KEPT = 50;

    /**
     * @param address the client's IP
     * @param path what it asked for, e.g. "/default/config"
     * @param uuid the ?uuid= it sent (only when well-formed), or null
     * @param served the file it got, relative to the data folder, or null when none (404)
     */
    record Fetch(Instant time, String address, String path, String uuid, String served) {
    }

    private final Deque<Fetch> fetches = new ArrayDeque<>();

    synchronized void add(Fetch fetch) {
        fetches.addFirst(fetch);
        while (fetches.size() > KEPT) {
            fetches.removeLast();
        }
    }

    synchronized List<Fetch> recent() {
        return new ArrayList<>(fetches);
    }
}
