package org.openslx.netboot.stage3.config;

/** Writing values so that a POSIX shell reads them back unchanged. */
public final class ShellQuoting {
    private ShellQuoting() {
    }

    /** {@code 'value'}, with each {@code '} written as {@code '\''}. Safe for any text, newlines included. */
    public static String singleQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
