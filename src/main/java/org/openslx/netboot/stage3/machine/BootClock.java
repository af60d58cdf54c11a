package org.openslx.netboot.stage3.machine;

import java.time.Duration;

/**
 * Time as stage3 waits for devices. The real clock sleeps; the virtual one (for machine
 * descriptions and tests) just moves on, so a plan that "waits 3 s for the ID44 partition" is
 * computed instantly and says so.
 */
public interface BootClock {
    Duration elapsed();

    void sleep(Duration duration) throws InterruptedException;

    static BootClock real() {
        long start = System.nanoTime();
        return new BootClock() {
            @Override
            public Duration elapsed() {
                return Duration.ofNanos(System.nanoTime() - start);
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(duration);
            }
        };
    }

    static BootClock virtual() {
        return new BootClock() {
            private Duration now = Duration.ZERO;

            @Override
            public synchronized Duration elapsed() {
                return now;
            }

            @Override
            public synchronized void sleep(Duration duration) {
                now = now.plus(duration);
            }
        };
    }
}
