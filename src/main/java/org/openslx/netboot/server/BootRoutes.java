package org.openslx.netboot.server;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.openslx.netboot.net.http.HttpRequest;
import org.openslx.netboot.net.http.HttpResponse;

/**
 * The boot files of every base, {@code /<base>/<file>}: config (or a machine's own, chosen by
 * {@code ?uuid=}), config.tgz (likewise), kernel, initrd and the generated boot.ipxe. Files are
 * read on every request, so edits apply without a restart; only regular files inside the data
 * folder are served.
 */
final class BootRoutes {
    private static final System.Logger LOG = System.getLogger(BootRoutes.class.getName());
    private static final Map<String, String> NO_STORE = Map.of("Cache-Control", "no-store");
    private static final String BINARY = "application/octet-stream";

    private final ContainedFiles files;
    private final ServerAddress publicAddress;
    private final ConfigFetches fetches;

    /**
     * @param publicAddress how clients reach this server, or null to take it from each request's
     *     Host header (iPXE sends the host and port it fetched the script from)
     */
    BootRoutes(DataFolder folder, ServerAddress publicAddress, ConfigFetches fetches) {
        this.files = new ContainedFiles(folder.root());
        this.publicAddress = publicAddress;
        this.fetches = fetches;
    }

    /** The answer for a path below "/", which has already passed {@link ContainedFiles#problemWith}. */
    HttpResponse handle(HttpRequest request, String relativePath) throws IOException {
        int slash = relativePath.lastIndexOf('/');
        if (slash <= 0) {
            return HttpResponse.notFound();
        }
        String base = relativePath.substring(0, slash);
        String file = relativePath.substring(slash + 1);
        if (!BaseName.isValid(base)) {
            return HttpResponse.notFound();
        }
        return switch (file) {
            case DataFolder.CONFIG -> config(request, base, DataFolder.CONFIG, "", "text/plain; charset=utf-8");
            case DataFolder.CONFIG_TGZ -> config(request, base, DataFolder.CONFIG_TGZ, ".tgz", "application/gzip");
            case DataFolder.KERNEL, DataFolder.INITRD -> bootFile(request, DataFolder.relative(base, file));
            case "boot.ipxe" -> ipxeScript(request, base);
            default -> HttpResponse.notFound();
        };
    }

    private HttpResponse config(HttpRequest request, String base, String name, String machineSuffix,
                                String contentType) throws IOException {
        String uuid = MachineUuid.normalizeOrNull(request.queryParameter("uuid"));
        if (uuid == null && request.queryParameter("uuid") != null) {
            LOG.log(Level.INFO, () -> address(request) + " sent a malformed uuid; it gets the base's "
                    + name + " (machine files are named like 4c4c4544-0033-5a10-8052-b4c04f4d5332)");
        }
        String served = null;
        ContainedFiles.Lookup lookup = null;
        if (uuid != null) {
            String machineFile = DataFolder.relative(base, DataFolder.PER_MACHINE_CONFIGS + "/" + uuid + machineSuffix);
            lookup = files.find(machineFile);
            if (lookup instanceof ContainedFiles.Lookup.Found) {
                served = machineFile;
            } else if (lookup instanceof ContainedFiles.Lookup.Refused refused) {
                LOG.log(Level.WARNING, () -> machineFile + " ignored, the base's " + name + " served instead: "
                        + refused.reason());
            }
        }
        if (served == null) {
            served = DataFolder.relative(base, name);
            lookup = files.find(served);
        }
        boolean found = lookup instanceof ContainedFiles.Lookup.Found;
        fetches.add(new ConfigFetches.Fetch(Instant.now(), address(request), request.path(), uuid,
                found ? served : null));
        return answer(request, lookup, contentType, NO_STORE);
    }

    private HttpResponse bootFile(HttpRequest request, String relative) throws IOException {
        return answer(request, files.find(relative), BINARY, Map.of());
    }

    private HttpResponse ipxeScript(HttpRequest request, String base) throws IOException {
        ServerAddress server = publicAddress != null ? publicAddress : ServerAddress.parseOrNull(request.header("host"));
        if (server == null) {
            return HttpResponse.text(400, "no usable Host header to tell clients where this server is;"
                    + " start slx server with --public-address\n");
        }
        ContainedFiles.Lookup kernel = files.find(DataFolder.relative(base, DataFolder.KERNEL));
        if (!(kernel instanceof ContainedFiles.Lookup.Found)) {
            if (kernel instanceof ContainedFiles.Lookup.Missing) {
                LOG.log(Level.WARNING, () -> address(request) + " asked for " + request.path() + " but "
                        + DataFolder.relative(base, DataFolder.KERNEL) + " does not exist");
            }
            return answer(request, kernel, BINARY, Map.of());
        }
        boolean withInitrd = files.find(DataFolder.relative(base, DataFolder.INITRD)) instanceof ContainedFiles.Lookup.Found;
        String extra = switch (files.find(DataFolder.relative(base, DataFolder.CMDLINE))) {
            case ContainedFiles.Lookup.Found found -> KernelArguments.read(found.realPath());
            case ContainedFiles.Lookup.Missing missing -> "";
            case ContainedFiles.Lookup.Refused refused -> {
                LOG.log(Level.WARNING, DataFolder.relative(base, DataFolder.CMDLINE) + " ignored: " + refused.reason());
                yield "";
            }
        };
        byte[] script = IpxeScript.build(server, base, withInitrd, extra).getBytes(StandardCharsets.UTF_8);
        return new HttpResponse.Bytes(200, "text/plain; charset=utf-8", script, NO_STORE);
    }

    private static HttpResponse answer(HttpRequest request, ContainedFiles.Lookup lookup, String contentType,
                                       Map<String, String> headers) {
        return switch (lookup) {
            case ContainedFiles.Lookup.Found found -> new HttpResponse.File(200, contentType, found.realPath(), headers);
            case ContainedFiles.Lookup.Missing missing -> HttpResponse.notFound();
            case ContainedFiles.Lookup.Refused refused -> {
                LOG.log(Level.WARNING, () -> "refused " + request.method() + " " + request.rawPath() + " from "
                        + address(request) + ": " + refused.reason());
                yield HttpResponse.forbidden();
            }
        };
    }

    static String address(HttpRequest request) {
        return request.remote().getAddress().getHostAddress();
    }
}
