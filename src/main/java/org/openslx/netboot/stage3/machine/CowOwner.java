package org.openslx.netboot.stage3.machine;

/**
 * Whose data a persistent copy-on-write store holds: the image name and revision it was made for.
 * A store is reused only for exactly the same image and RID; anything else starts fresh.
 */
public record CowOwner(String image, int rid) {
    @Override
    public String toString() {
        return image + " revision " + rid;
    }
}
