package org.openslx.netboot.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * dracut-ng, dracut's successor, as a private copy next to the system's dracut, so our module
 * can be built and booted with both (issue 6: "works with dracut 059, written so that dracut-ng
 * also works").
 *
 * <p>Why this arrangement: the build hosts run Debian bookworm (dracut 059). Debian trixie ships
 * dracut-ng 106 as {@code dracut-core} + {@code dracut-network}, but those packages depend on
 * libc 2.38 and cannot be installed on bookworm. dracut itself is shell scripts, though, so we
 * unpack the two packages ({@code dpkg-deb -x}) into a cache folder and run their {@code dracut}
 * with {@code dracutbasedir} pointing at their module folder. Its few compiled helpers need the
 * newer libc: {@code dracut-install} (a separate package built for libc 2.38) is replaced by
 * bookworm's own {@code /usr/lib/dracut/dracut-install} (the same command-line interface,
 * selected through {@code DRACUT_INSTALL}); {@code skipcpio} (needs libc 2.38) is only used by
 * dracut-ng's lsinitrd, which we do not run; {@code dracut-util}, which goes into the
 * initramfs, needs only libc 2.34.
 *
 * <p>The packages come from deb.debian.org (a package registry), pinned by version and SHA-256
 * as listed in trixie's {@code Packages} index, and are cached under
 * {@code ~/.cache/slx-netboot/} after the first download. When Debian replaces this version,
 * the pool drops the old files: update {@link #VERSION} and the hashes from
 * {@code dists/trixie/main/binary-amd64/Packages.xz}.
 */
public final class DracutNg {
    /** The dracut-ng version the tests run: Debian trixie's. */
    public static final String VERSION = "106-6";
    static final String MIRROR = "http://deb.debian.org/debian/";
    /** Bookworm's dracut-install, standing in for dracut-ng's (see the class comment). */
    static final Path BOOKWORM_DRACUT_INSTALL = Path.of("/usr/lib/dracut/dracut-install");

    /** One Debian package: where it lies in the pool and its SHA-256 from trixie's index. */
    record Package(String poolPath, String sha256) {
        String fileName() {
            return poolPath.substring(poolPath.lastIndexOf('/') + 1);
        }
    }

    static final List<Package> PACKAGES = List.of(
            // dracut itself and the non-network modules.
            new Package("pool/main/d/dracut/dracut-core_106-6_amd64.deb",
                    "3d42a242f2a1d6a8dcef15a66ddbb1263050695b2cff544b57a7a12d88338686"),
            // systemd-networkd, net-lib, network and the other network modules we depend on.
            new Package("pool/main/d/dracut/dracut-network_106-6_all.deb",
                    "c6c41a6d405442126a19e39462a6d7f13b1ccbd35aa741f1e435c4bfea8538ef"));

    private DracutNg() {
    }

    /** ~/.cache/slx-netboot (or $XDG_CACHE_HOME/slx-netboot): kept across builds and clean checkouts. */
    public static Path defaultCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("slx-netboot");
    }

    /**
     * dracut-ng unpacked in {@code cache}, downloading and verifying its packages the first time.
     *
     * @throws IOException when deb.debian.org cannot be reached, a package's hash differs, or
     *         unpacking fails; the message says which and what to do
     */
    public static Dracut.Installation install(Path cache, Consumer<String> progress) throws IOException {
        return install(cache, MIRROR, progress);
    }

    /** As above, from another Debian mirror (the tests use a local one). */
    static Dracut.Installation install(Path cache, String mirror, Consumer<String> progress) throws IOException {
        if (!Files.isExecutable(BOOKWORM_DRACUT_INSTALL)) {
            throw new IOException("dracut-ng needs the system's " + BOOKWORM_DRACUT_INSTALL
                    + ", which is missing (scripts/install-deps.sh installs dracut)");
        }
        Path root = cache.resolve("dracut-ng-" + VERSION);
        if (!Files.isExecutable(root.resolve("usr/bin/dracut"))) {
            unpack(cache, root, mirror, progress);
        }
        return new Dracut.Installation("dracut-ng " + VERSION, root.resolve("usr/bin/dracut"),
                root.resolve("usr/lib/dracut"),
                Map.of("DRACUT_INSTALL", BOOKWORM_DRACUT_INSTALL.toString()));
    }

    /** Downloads and unpacks every package into a fresh folder, then moves it into place. */
    private static void unpack(Path cache, Path root, String mirror, Consumer<String> progress) throws IOException {
        Path downloads = cache.resolve("downloads");
        Files.createDirectories(downloads);
        Path staging = cache.resolve(root.getFileName() + ".partial");
        Dracut.deleteTree(staging);
        Files.createDirectories(staging);
        for (Package p : PACKAGES) {
            Path deb = downloads.resolve(p.fileName());
            if (!Files.exists(deb) || !p.sha256().equals(sha256(deb))) {
                progress.accept("downloading " + mirror + p.poolPath());
                download(mirror, p, deb);
            }
            Tool.of("dpkg-deb", "-x", deb.toString(), staging.toString()).run();
        }
        Dracut.deleteTree(root);
        Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
        progress.accept("dracut-ng " + VERSION + " unpacked in " + root);
    }

    private static void download(String mirror, Package p, Path target) throws IOException {
        URI uri = URI.create(mirror + p.poolPath());
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        HttpResponse<Path> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofFile(partial));
        } catch (IOException e) {
            throw new IOException("dracut-ng " + VERSION + " could not be downloaded from " + uri
                    + " (" + e + "); the dracut-ng build needs " + uri.getHost() + ", or the packages already in "
                    + target.getParent(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + uri, e);
        }
        if (response.statusCode() != 200) {
            Files.deleteIfExists(partial);
            throw new IOException(uri.getHost() + " answered HTTP " + response.statusCode() + " for " + uri
                    + (response.statusCode() == 404
                            ? "; Debian has probably replaced dracut " + VERSION
                                    + ": update DracutNg.VERSION and the hashes from trixie's Packages index"
                            : ""));
        }
        String actual = sha256(partial);
        if (!actual.equals(p.sha256())) {
            Files.deleteIfExists(partial);
            throw new IOException(uri + " has SHA-256 " + actual + ", but trixie's index lists " + p.sha256()
                    + "; refusing to use it");
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
