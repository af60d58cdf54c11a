/**
 * The dnbd3 server: images {@code <name>.r<RID>} under a base folder served to dnbd3 clients,
 * wire-compatible with the reference dnbd3-server (no proxy mode).
 *
 * <p>Entry point for other parts: {@link org.openslx.netboot.dnbd3.server.Dnbd3Server}, which
 * gives the {@link org.openslx.netboot.net.ConnectionHandler} for a shared port, the status HTTP
 * handler and live statistics. Units: {@link org.openslx.netboot.dnbd3.server.ImageName} (name
 * rules), {@link org.openslx.netboot.dnbd3.server.ImageStore} (lookup, RID 0, on-demand loading),
 * {@link org.openslx.netboot.dnbd3.server.Dnbd3ConnectionHandler} (one client connection),
 * {@link org.openslx.netboot.dnbd3.server.AltServers} (the alt-servers file),
 * {@link org.openslx.netboot.dnbd3.server.StatusJson}, {@link org.openslx.netboot.dnbd3.server.CrcListWriter}.
 */
package org.openslx.netboot.dnbd3.server;
