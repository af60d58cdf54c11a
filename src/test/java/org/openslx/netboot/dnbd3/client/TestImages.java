package org.openslx.netboot.dnbd3.client;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/** Image contents and URLs for the client tests. */
final class TestImages {
    private TestImages() {
    }

    /** Pseudo-random bytes; every byte differs from its neighbours often enough to catch shifts. */
    static byte[] random(int size, long seed) {
        byte[] image = new byte[size];
        new Random(seed).nextBytes(image);
        return image;
    }

    static String url(String name, FakeDnbd3Server... servers) {
        return "dnbd3://" + List.of(servers).stream().map(FakeDnbd3Server::hostPort).collect(Collectors.joining(","))
                + "/" + name;
    }

    static FakeDnbd3Server serving(List<FakeDnbd3Server> servers, ServerAddress address) {
        return servers.stream().filter(s -> s.address().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no test server at " + address));
    }
}
