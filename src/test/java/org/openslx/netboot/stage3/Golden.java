package org.openslx.netboot.stage3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: the expected output of a case, kept beside its input under
 * {@code src/test/resources}. Run the tests with {@code -Dslx.golden.update=true} to rewrite them
 * after a deliberate change, then review the diff.
 */
public final class Golden {
    public static final Path RESOURCES = Path.of("src/test/resources");

    private Golden() {
    }

    public static void check(Path goldenFile, String actual) {
        try {
            if (Boolean.getBoolean("slx.golden.update") || !Files.exists(goldenFile)) {
                Files.writeString(goldenFile, actual);
                if (!Boolean.getBoolean("slx.golden.update")) {
                    throw new AssertionError("golden file " + goldenFile + " was missing; written now, review it");
                }
                return;
            }
            assertThat(actual).as("output compared with %s", goldenFile).isEqualTo(Files.readString(goldenFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
