package org.openslx.netboot.stage3.cmdline;

import java.util.Optional;

/**
 * One parameter of the kernel command line: {@code key=value}, or a bare {@code key} (a flag).
 * Quotes have already been removed the way the kernel removes them.
 */
public record KernelParameter(String key, Optional<String> value) {
    public KernelParameter {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a kernel parameter needs a name");
        }
    }

    @Override
    public String toString() {
        return value.map(v -> key + "=" + v).orElse(key);
    }
}
