package org.openslx.netboot.nbd;

import static org.openslx.netboot.nbd.NbdProtocol.*;

import java.io.IOException;
import org.openslx.netboot.block.Allocation;
import org.openslx.netboot.block.BlockSource;

/**
 * The descriptors of a {@code base:allocation} BLOCK_STATUS reply: the source's allocation runs
 * from the request's offset, neighbours of the same state joined, holes reported as
 * {@code HOLE | ZERO} (no layer here has a backing file, so a hole always reads as zeros).
 *
 * <p>Bounded work: at most {@link #MAX_DESCRIPTORS} descriptors and {@link #MAX_LOOKUPS} calls
 * to the source per reply, and never more than the request's length; the protocol lets the
 * reply cover less than asked, and clients ask again from where it ended.
 */
final class BlockStatus {
    static final int MAX_DESCRIPTORS = 1024;
    static final int MAX_LOOKUPS = 4096;

    /** {@code count} descriptors: lengths (unsigned 32-bit) and state flags. */
    record Descriptors(int[] lengths, int[] states, int count) {
    }

    private BlockStatus() {
    }

    /**
     * @param onlyOne the client's REQ_ONE flag: a single descriptor
     */
    static Descriptors describe(BlockSource source, long offset, long length, boolean onlyOne) throws IOException {
        int max = onlyOne ? 1 : MAX_DESCRIPTORS;
        int[] lengths = new int[max];
        int[] states = new int[max];
        long[] runs = new long[max];
        int count = 0;
        long done = 0;
        for (int lookups = 0; done < length && lookups < MAX_LOOKUPS; lookups++) {
            Allocation run = source.allocation(offset + done, length - done);
            long runLength = Math.min(run.length(), length - done);
            int state = run.hole() ? STATE_HOLE | STATE_ZERO : 0;
            if (count > 0 && states[count - 1] == state) {
                runs[count - 1] += runLength;
            } else if (count < max) {
                states[count] = state;
                runs[count++] = runLength;
            } else {
                break;
            }
            done += runLength;
        }
        for (int i = 0; i < count; i++) {
            // The request's length is a 32-bit number, so every run fits in one.
            lengths[i] = (int) runs[i];
        }
        return new Descriptors(lengths, states, count);
    }
}
