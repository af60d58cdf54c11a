package org.openslx.netboot.stage3.plan;

import java.util.LinkedHashMap;
import java.util.Map;
import org.openslx.netboot.stage3.config.SlxConfig;
import org.openslx.netboot.stage3.json.PlainValues;
import org.openslx.netboot.stage3.network.BootNetwork;
import org.openslx.netboot.stage3.storage.StoragePlan;
import org.openslx.netboot.util.Json;

/**
 * The plan as JSON ({@code slx stage3 plan --json}): the same sections as the readable plan, and
 * the steps as objects with a {@code "type"} naming the step and its fields.
 */
public final class PlanJson {
    private PlanJson() {
    }

    public static String write(Stage3Plan plan) {
        BootNetwork net = plan.network();
        SlxConfig config = plan.config();
        StoragePlan storage = plan.storage();
        Map<String, Object> out = new LinkedHashMap<>();

        Map<String, Object> network = new LinkedHashMap<>();
        network.put("mac", net.mac().map(Object::toString));
        network.put("interface", net.interfaceName());
        network.put("addressing", net.addressing().toString());
        network.put("dns", net.dns().stream().map(Object::toString).toList());
        network.put("bootServer", net.bootServer().map(Object::toString));
        out.put("network", network);
        out.put("derivedVariables", new java.util.TreeMap<>(plan.derivedVariables()));
        out.put("configSource", plan.configSource());
        out.put("systemUuid", plan.systemUuid());

        Map<String, Object> image = new LinkedHashMap<>();
        image.put("servers", config.dnbd3Servers().stream().map(Object::toString).toList());
        image.put("fallbackServers", config.dnbd3Fallback().stream().map(Object::toString).toList());
        image.put("name", config.image());
        image.put("rid", config.rid());
        image.put("device", config.imageDevice());
        image.put("root", storage.root().summary());
        out.put("image", image);

        Map<String, Object> cow = new LinkedHashMap<>();
        cow.put("choice", storage.cow());
        cow.put("summary", storage.cow().summary());
        cow.put("persistent", storage.persistentSnapshot());
        cow.put("dmTable", storage.dmTable());
        cow.put("expectedDmTable", storage.expectedDmTable());
        out.put("copyOnWrite", cow);
        Map<String, Object> rootMount = new LinkedHashMap<>();
        rootMount.put("device", StoragePlan.ROOT_DEVICE);
        rootMount.put("target", StoragePlan.SYSROOT);
        rootMount.put("arguments", config.mountRootOptions());
        out.put("rootMount", rootMount);
        out.put("warnings", plan.warnings());
        out.put("steps", plan.steps());
        return Json.write(PlainValues.of(out)) + "\n";
    }
}
