package org.openslx.netboot.dnbd3.client;

import java.io.IOException;

/**
 * A server answered but will not serve the pinned image version: it closed the connection after
 * SELECT_IMAGE (the reference server's way of saying "no such image or revision"), or it offered
 * another name, revision or size. Unlike a dead server, asking again soon will not help.
 */
final class ImageRefusedException extends IOException {
    ImageRefusedException(String message) {
        super(message);
    }
}
