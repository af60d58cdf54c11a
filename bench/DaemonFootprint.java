/**
 * The root daemon's JVM on the host, for bench/daemon-rss.sh: runs the AOT cache's training
 * (the daemon's code paths on loopback: config fetch, dnbd3 → qcow2 → NBD with nbdcopy), then
 * the full collection the daemon runs once /sysroot is mounted, and stays alive for SECONDS so
 * its memory can be read from outside.
 */
public final class DaemonFootprint {
    public static void main(String[] args) throws InterruptedException {
        org.openslx.netboot.boot.RootDaemon.train();
        System.gc();
        System.err.println("daemon-footprint: ready");
        Thread.sleep(Long.parseLong(args.length > 0 ? args[0] : "30") * 1000);
    }
}
