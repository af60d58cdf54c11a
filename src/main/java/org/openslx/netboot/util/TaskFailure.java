package org.openslx.netboot.util;

import java.io.IOException;

/** What a task on another thread failed with, handed to the thread that waited for it. */
public final class TaskFailure {
    private TaskFailure() {
    }

    /**
     * Throws a RuntimeException or Error {@code cause} as it is; returns an IOException to throw
     * for the rest: a failed read wrapped in a new IOException with the same message (so the trace
     * shows the waiting thread too), anything else wrapped as its cause.
     */
    public static IOException asIOException(Throwable cause) {
        if (cause instanceof IOException io) {
            return new IOException(io.getMessage(), io);
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IOException(cause);
    }
}
