/**
 * The dnbd3 wire protocol, version 3 (peers of version 2 accepted), byte for byte as the
 * reference implementation (bwLehrpool/dnbd3) speaks it; see {@code ../shared/dnbd3-protocol.md}.
 *
 * <p>Everything here is pure encoding and decoding: records for the messages, each with
 * {@code encode(ByteBuffer)} / {@code decode(ByteBuffer)} (or {@code encode()} returning a fresh,
 * flipped buffer). Integers are little-endian whatever the buffer's own byte order (the buffer's
 * order is left untouched), except the port in a {@link org.openslx.netboot.dnbd3.protocol.ServerEntry},
 * which is big-endian as in the reference. Malformed input raises
 * {@link org.openslx.netboot.dnbd3.protocol.ProtocolException} naming the message and field.
 */
package org.openslx.netboot.dnbd3.protocol;
