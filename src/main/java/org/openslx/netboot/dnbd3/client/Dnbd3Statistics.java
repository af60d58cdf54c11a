package org.openslx.netboot.dnbd3.client;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of what the client has done, for the boot daemon's status and for tests.
 *
 * @param image the pinned image version, e.g. {@code 'rz/win10.qcow2' revision 7 (…)}
 * @param currentServer the server reads go to now, or null while none answers
 * @param bytesFetched block data received from servers
 * @param requestsSent GET_BLOCKs sent, re-sends after a switch included
 * @param pendingRequests GET_BLOCKs waiting for data now
 * @param switches how often the client changed servers
 * @param lastSwitch the last switch in words, or null
 * @param crcListPresent whether a CRC list is known (integrity checks active)
 * @param hashBlocksVerified 16 MiB blocks that passed their CRC check
 * @param hashBlocksFailed 16 MiB blocks whose data failed the check (each re-fetched)
 * @param servers every known server with its probe RTT and state
 * @param meanReplyWait mean time from sending a GET_BLOCK to its reply header (queueing behind
 *     earlier replies included)
 * @param meanReplyTransfer mean time from a GET_BLOCK's reply header to its last byte
 */
public record Dnbd3Statistics(String image, ServerAddress currentServer, long bytesFetched, long requestsSent,
        int pendingRequests, int switches, String lastSwitch, boolean crcListPresent, long hashBlocksVerified,
        long hashBlocksFailed, List<Server> servers, Duration meanReplyWait, Duration meanReplyTransfer) {

    /**
     * @param address the server
     * @param rtt mean of the last probe round trips, or null if unreachable or not yet probed
     * @param learnt whether it came from GET_SERVERS
     * @param refusedBecause why it is shut out for now, or null
     */
    public record Server(ServerAddress address, Duration rtt, boolean learnt, String refusedBecause) {
    }
}
