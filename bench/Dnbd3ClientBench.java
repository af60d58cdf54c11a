// Sequential read throughput of the dnbd3 client (Dnbd3Source), run with the JDK's source
// launcher against the project's jar:
//   java -cp target/slx.jar bench/Dnbd3ClientBench.java URL READ_BYTES SECONDS [THREADS] [REQUEST_BYTES]
// Each read() of READ_BYTES is split by the client into GET_BLOCKs of REQUEST_BYTES (default
// 1 MiB) that are all in flight at once (READ_BYTES / REQUEST_BYTES in flight per thread).
// THREADS readers stream consecutive stripes of the image (wrapping around). Reads go into direct buffers and are thrown away. Prints one
// line: read size, threads, seconds, bytes, MB/s, client CPU seconds per GB (user+system, all
// threads; less sensitive to a busy machine than MB/s), hash blocks checked, server switches.

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.openslx.netboot.dnbd3.client.Dnbd3ClientOptions;
import org.openslx.netboot.dnbd3.client.Dnbd3Source;
import org.openslx.netboot.dnbd3.client.Dnbd3Statistics;
import org.openslx.netboot.dnbd3.client.Dnbd3Url;

public class Dnbd3ClientBench {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        int readBytes = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int requestBytes = args.length > 4 ? Integer.parseInt(args[4]) : 1 << 20;
        Dnbd3ClientOptions options = Dnbd3ClientOptions.forCommandLine().withRequestSize(requestBytes);
        try (Dnbd3Source source = Dnbd3Source.open(Dnbd3Url.parse(url), options)) {
            long size = source.size() / readBytes * readBytes;
            // Warm-up: one pass over a part of the image (JIT, TCP windows).
            run(source, size, readBytes, threads, 2.0);
            long before = source.statistics().bytesFetched();
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            long bytes = run(source, size, readBytes, threads, seconds);
            double took = (System.nanoTime() - start) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
            Dnbd3Statistics stats = source.statistics();
            System.out.printf("read=%d threads=%d seconds=%.1f bytes=%d fetched=%d MB/s=%.0f clientCpuSecondsPerGB=%.2f"
                    + " hashBlocksChecked=%d switches=%d%n",
                    readBytes, threads, took, bytes, stats.bytesFetched() - before, bytes / took / 1e6,
                    cpu / (bytes / 1e9), stats.hashBlocksVerified(), stats.switches());
        }
    }

    static long run(Dnbd3Source source, long size, int readBytes, int threads, double seconds) throws Exception {
        AtomicLong total = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long stripe = size / threads / readBytes * readBytes;
        for (int t = 0; t < threads; t++) {
            long first = t * stripe;
            workers.add(Thread.ofPlatform().start(() -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(readBytes);
                long at = first;
                try {
                    while (System.nanoTime() < deadline) {
                        source.read(buffer.clear(), at);
                        total.addAndGet(readBytes);
                        at += readBytes;
                        if (at + readBytes > size) {
                            at = 0;
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.getFirst());
        }
        return total.get();
    }
}
