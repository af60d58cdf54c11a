package org.openslx.netboot.block.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {
    @Test
    void keepsAtMostCapacityValuesEvictingTheLeastRecentlyUsed() throws IOException {
        BoundedCache<String> cache = new BoundedCache<>(2);
        AtomicInteger loads = new AtomicInteger();
        BoundedCache.Loader<String> loader = key -> {
            loads.incrementAndGet();
            return "v" + key;
        };
        cache.get(1, loader);
        cache.get(2, loader);
        cache.get(1, loader); // 1 is now the most recently used
        cache.get(3, loader); // evicts 2
        assertThat(loads).hasValue(3);
        cache.get(1, loader);
        assertThat(loads).hasValue(3);
        cache.get(2, loader);
        assertThat(loads).hasValue(4);
    }

    @Test
    void concurrentRequestsForOneKeyLoadItOnceWhileOtherKeysLoadInParallel() throws Exception {
        BoundedCache<String> cache = new BoundedCache<>(8);
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch bothLoading = new CountDownLatch(2);
        BoundedCache.Loader<String> slowLoader = key -> {
            loads.incrementAndGet();
            bothLoading.countDown();
            try {
                // Two different keys must be loading at the same time to get past this.
                if (!bothLoading.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("loads did not run in parallel");
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            return "v" + key;
        };
        try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                long key = i % 2;
                results.add(threads.submit(() -> cache.get(key, slowLoader)));
            }
            for (int i = 0; i < 6; i++) {
                assertThat(results.get(i).get()).isEqualTo("v" + (i % 2));
            }
        }
        assertThat(loads).hasValue(2);
    }

    @Test
    void failedLoadsAreNotCached() throws IOException {
        BoundedCache<String> cache = new BoundedCache<>(2);
        AtomicInteger attempts = new AtomicInteger();
        BoundedCache.Loader<String> flaky = key -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IOException("disk hiccup");
            }
            return "ok";
        };
        assertThatThrownBy(() -> cache.get(7, flaky)).hasMessage("disk hiccup");
        assertThat(cache.get(7, flaky)).isEqualTo("ok");
    }
}
