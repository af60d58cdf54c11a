package org.openslx.netboot.stage3.fetch;

import java.net.URI;
import java.util.List;

/** What fetching a file from the boot servers came to. */
public sealed interface FetchResult {
    /** A server delivered the file. */
    record Fetched(URI from, byte[] body, int attempts) implements FetchResult {
    }

    /** Every server answered that the file does not exist (404/410); asking again would not help. */
    record Absent(List<URI> asked) implements FetchResult {
        public Absent {
            asked = List.copyOf(asked);
        }
    }
}
