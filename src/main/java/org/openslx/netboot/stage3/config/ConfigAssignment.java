package org.openslx.netboot.stage3.config;

/** One {@code NAME=value} line of an SLX config, with the value as a shell would have read it. */
public record ConfigAssignment(String name, String value, int line) {
}
