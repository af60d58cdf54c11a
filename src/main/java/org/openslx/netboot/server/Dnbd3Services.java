package org.openslx.netboot.server;

/** Makes the dnbd3 part of {@code slx server} for a data folder. */
public final class Dnbd3Services {
    private static final System.Logger LOG = System.getLogger(Dnbd3Services.class.getName());

    private Dnbd3Services() {
    }

    /** The dnbd3 service on the folder's image store. */
    public static Dnbd3Service forStore(DataFolder folder) {
        // TODO(dnbd3 merge): plug in the dnbd3 server on folder.images() once its branch lands.
        LOG.log(System.Logger.Level.WARNING, "dnbd3 is not built in yet: serving HTTP only");
        return Dnbd3Service.none();
    }
}
