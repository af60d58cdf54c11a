package org.openslx.netboot.stage3.plan;

import java.util.List;
import java.util.stream.Collectors;
import org.openslx.netboot.stage3.cmdline.ServerAddress;
import org.openslx.netboot.stage3.config.SlxConfig;
import org.openslx.netboot.stage3.fetch.BootServerUrls;
import org.openslx.netboot.stage3.network.BootNetwork;
import org.openslx.netboot.stage3.storage.StoragePlan;

/** The plan in words, for an admin reading it before any client boots. */
public final class PlanRenderer {
    private PlanRenderer() {
    }

    public static String render(Stage3Plan plan) {
        StringBuilder out = new StringBuilder();
        BootNetwork net = plan.network();
        SlxConfig config = plan.config();
        StoragePlan storage = plan.storage();

        out.append("Network\n");
        row(out, "boot interface", net.mac().map(m -> "MAC " + m).orElse("MAC unknown") + ", named "
                + net.interfaceName().orElse("(every Ethernet interface)"));
        row(out, "addressing", net.addressing() + (net.dns().isEmpty() ? "" : ", DNS "
                + net.dns().stream().map(Object::toString).collect(Collectors.joining(" "))));
        if (!plan.cmdline().configServers().isEmpty()) {
            row(out, "config from", String.join(", ", BootServerUrls.of(plan.cmdline().configServers(),
                    plan.cmdline().basePath().orElse(""), "config", plan.systemUuid()).stream().map(Object::toString).toList()));
        }
        row(out, "config read", plan.configSource());
        if (plan.cmdline().debug().any()) {
            row(out, "debug", plan.cmdline().debug().toString());
        }

        out.append("\nImage\n");
        row(out, "servers", names(config.dnbd3Servers()) + (config.dnbd3Fallback().isEmpty() ? ""
                : "; fallback " + names(config.dnbd3Fallback())));
        row(out, "image", config.image() + ", revision " + (config.rid() == 0 ? "newest (0)" : config.rid()));
        row(out, "device", config.imageDevice() + " (raw view served by the root daemon)");
        row(out, "root", storage.root().summary());

        out.append("\nCopy-on-write\n");
        row(out, "store", storage.cow().summary());
        row(out, "snapshot", storage.persistentSnapshot() ? "persistent (P)" : "not persistent (N)");
        row(out, "dm table", storage.dmTable());
        storage.expectedDmTable().ifPresent(t -> row(out, "expected", t));

        out.append("\nMounts\n");
        row(out, "/sysroot", StoragePlan.ROOT_DEVICE + (config.mountRootOptions().isEmpty() ? ""
                : " with " + String.join(" ", config.mountRootOptions())));

        out.append("\nWarnings\n");
        if (plan.warnings().isEmpty()) {
            out.append("  (none)\n");
        }
        for (String warning : plan.warnings()) {
            out.append("  ! ").append(warning).append('\n');
        }

        out.append("\nSteps\n");
        steps(out, plan.steps(), "  ", "");
        return out.toString();
    }

    private static void steps(StringBuilder out, List<Step> steps, String indent, String prefix) {
        int number = 0;
        for (Step step : steps) {
            number++;
            String label = prefix + number + ".";
            if (step instanceof Step.WithFallback fallback) {
                out.append(indent).append(label).append(' ').append(fallback.what()).append(":\n");
                steps(out, fallback.primary(), indent + "    ", label);
                out.append(indent).append("    if any of these fails, loudly fall back to:\n");
                steps(out, fallback.fallback(), indent + "    ", label + "fallback.");
            } else if (step instanceof Step.InBackground background) {
                out.append(indent).append(label).append(" in the background, while the next steps run: ")
                        .append(background.what()).append(":\n");
                steps(out, background.steps(), indent + "    ", label);
            } else {
                out.append(indent).append(label).append(' ').append(step.describe()).append('\n');
            }
        }
    }

    private static String names(List<ServerAddress> servers) {
        return servers.isEmpty() ? "(none)" : servers.stream().map(Object::toString).collect(Collectors.joining(", "));
    }

    private static void row(StringBuilder out, String name, String value) {
        out.append("  ").append(String.format("%-15s", name)).append(value).append('\n');
    }
}
