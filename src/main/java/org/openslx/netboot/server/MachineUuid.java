package org.openslx.netboot.server;

import java.util.Locale;
import java.util.regex.Pattern;

/** A machine's SMBIOS system UUID as clients send it in {@code ?uuid=}; files are named in lower case. */
final class MachineUuid {
    private static final Pattern FORM =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private MachineUuid() {
    }

    /** The lower-case UUID, or null when the text is not one (and must not become a file name). */
    static String normalizeOrNull(String text) {
        return text != null && FORM.matcher(text).matches() ? text.toLowerCase(Locale.ROOT) : null;
    }
}
