package org.openslx.netboot.stage3.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openslx.netboot.stage3.cmdline.ServerAddress;

/**
 * The typed view of an SLX config: every variable of the seed's example, with its default and
 * checked, plus every other variable kept unchanged for stage4. {@link SlxConfigReader} documents
 * what each variable means.
 */
public record SlxConfig(
        Path configurationLocation,
        List<ServerAddress> dnbd3Servers,
        List<ServerAddress> dnbd3Fallback,
        int rid,
        Path imageDevice,
        Optional<String> imageDeviceNote,
        String image,
        Optional<String> systemPartitionIdentifier,
        List<String> systemPartitionPreparationScript,
        Optional<String> writableDeviceIdentifier,
        Duration writableDeviceTimeout,
        List<String> filesystemCreateCommand,
        List<String> filesystemCheckCommand,
        long maximumCowFileSizeMb,
        Optional<Path> cowFilePath,
        boolean persistent,
        List<String> generateFstabScript,
        long ramdiskSizeKb,
        List<String> mountRootOptions,
        Optional<Path> logFilePath,
        Map<String, String> otherVariables,
        ParsedConfig parsed) {

    public SlxConfig {
        dnbd3Servers = List.copyOf(dnbd3Servers);
        dnbd3Fallback = List.copyOf(dnbd3Fallback);
        systemPartitionPreparationScript = List.copyOf(systemPartitionPreparationScript);
        filesystemCreateCommand = List.copyOf(filesystemCreateCommand);
        filesystemCheckCommand = List.copyOf(filesystemCheckCommand);
        generateFstabScript = List.copyOf(generateFstabScript);
        mountRootOptions = List.copyOf(mountRootOptions);
        otherVariables = Map.copyOf(otherVariables);
    }

    /** The dnbd3 servers in the order to try them: preferred ones, then the fallback list. */
    public List<ServerAddress> allServers() {
        return java.util.stream.Stream.concat(dnbd3Servers.stream(), dnbd3Fallback.stream()).distinct().toList();
    }
}
