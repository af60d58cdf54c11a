package org.openslx.netboot.boot;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openslx.netboot.dnbd3.client.Dnbd3ClientOptions;
import org.openslx.netboot.dnbd3.client.Dnbd3Source;
import org.openslx.netboot.dnbd3.client.Dnbd3Url;
import org.openslx.netboot.dnbd3.client.ServerAddress;
import org.openslx.netboot.stage3.plan.Step;

/**
 * Opens the image the stage3 plan names over dnbd3: its servers in the config's order of
 * preference, its name and RID. The client never gives up on a read (a root disk must not
 * fail while any server may come back); the first connection is waited for with a progress
 * line every 15 s, so a boot whose servers are all down says so on the console.
 */
final class ImageTransport {
    static final int DNBD3_PORT = 5003;

    private ImageTransport() {
    }

    static Dnbd3Source open(Step.AttachImage step) throws IOException {
        List<ServerAddress> servers = step.servers().stream()
                .map(s -> new ServerAddress(s.host().replaceAll("^\\[|]$", ""), s.portOr(DNBD3_PORT)))
                .toList();
        Dnbd3Url url = new Dnbd3Url(servers, step.image(), step.rid());
        BootLog.info("image: connecting to " + url);
        Future<Dnbd3Source> opening = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()
                .submit(() -> Dnbd3Source.open(url, Dnbd3ClientOptions.defaults()));
        long waited = 0;
        while (true) {
            try {
                return opening.get(15, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                waited += 15;
                BootLog.info("image: no dnbd3 server of " + servers + " has served " + step.image() + " rid "
                        + step.rid() + " for " + waited + " s; still trying");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
            } catch (InterruptedException e) {
                opening.cancel(true);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to " + url, e);
            }
        }
    }
}
