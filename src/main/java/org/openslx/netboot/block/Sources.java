package org.openslx.netboot.block;

import java.io.IOException;
import java.nio.file.Path;
import org.openslx.netboot.dnbd3.client.Dnbd3ClientOptions;
import org.openslx.netboot.dnbd3.client.Dnbd3Source;
import org.openslx.netboot.dnbd3.client.Dnbd3Url;

/**
 * Opens the SOURCE argument of the CLI ({@code slx image info/cat}, {@code slx nbd serve}):
 * a file path (qcow2 detected by its magic, else raw), later also {@code dnbd3://} URLs;
 * optionally narrowed to one partition.
 */
public final class Sources {
    private Sources() {
    }

    /**
     * @param spec a file path (or, once supported, a dnbd3:// URL)
     * @param partition a GPT partition name or filesystem label to narrow to, or null for the whole disk
     */
    public static BlockSource open(String spec, String partition) throws IOException {
        BlockSource source = Dnbd3Url.isDnbd3Url(spec)
                ? Dnbd3Source.open(Dnbd3Url.parse(spec), Dnbd3ClientOptions.forCommandLine())
                : FileSource.openReadOnly(Path.of(spec));
        if (partition != null) {
            source.close();
            throw new IOException("--partition is not supported yet");
        }
        return source;
    }
}
