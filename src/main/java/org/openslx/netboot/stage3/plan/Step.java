package org.openslx.netboot.stage3.plan;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.openslx.netboot.stage3.cmdline.ServerAddress;
import org.openslx.netboot.stage3.machine.CowOwner;
import org.openslx.netboot.util.ByteSizes;

/**
 * One thing the boot does. A plan is a list of steps: data, computed from the command line, the
 * config and the machine, shown by {@code slx stage3 plan} and run by the executor. Each step says
 * in words what it does and what to check when it fails.
 */
public sealed interface Step {
    /** What the step does, in one line a sysadmin understands. */
    String describe();

    /** What to look at when the step fails. */
    default String whatToCheck() {
        return "the messages above";
    }

    record LoadKernelModule(String module, List<String> parameters) implements Step {
        public String describe() {
            return "load kernel module " + module + (parameters.isEmpty() ? "" : " " + String.join(" ", parameters));
        }

        public String whatToCheck() {
            return "that the initramfs carries the module for this kernel (lsinitrd | grep " + module + ")";
        }
    }

    /** Start the root daemon: dnbd3 client + qcow2 decoder, serving the image's raw view on {@code device}. */
    record AttachImage(List<ServerAddress> servers, String image, int rid, Path device) implements Step {
        public String describe() {
            return "attach image " + image + " revision " + (rid == 0 ? "newest" : rid) + " from "
                    + servers.stream().map(Object::toString).collect(Collectors.joining(", ")) + " on " + device;
        }

        public String whatToCheck() {
            return "that a dnbd3 server is reachable and has the image (the daemon's log), and the network";
        }
    }

    record WaitForDevice(Path device, Duration timeout) implements Step {
        public String describe() {
            return "wait up to " + timeout.toSeconds() + " s for " + device;
        }

        public String whatToCheck() {
            return "the root daemon's log and dmesg for " + device;
        }
    }

    /**
     * Find the root partition inside the image by GPT partition name, else filesystem label
     * (no identifier: the whole device), and remember it as {@code ${root}}.
     */
    record FindImagePartition(Path imageDevice, Optional<String> identifier, Duration timeout) implements Step {
        public String describe() {
            return identifier.map(id -> "find the partition named or labelled \"" + id + "\" in the image on " + imageDevice)
                    .orElse("use the whole image " + imageDevice + " as the root filesystem")
                    + " as " + Slots.ref(Slots.ROOT);
        }

        public String whatToCheck() {
            return "the image's partitions (blkid; SLX_SYSTEM_PARTITION_IDENTIFIER must be a GPT name or label in it)";
        }
    }

    /** Run the check command on {@code device}; if it reports damage it cannot fix, run the create command. */
    record CheckFilesystem(Path device, List<String> checkCommand, List<String> createCommand) implements Step {
        public String describe() {
            return "check the filesystem on " + device + " with " + String.join(" ", checkCommand)
                    + (createCommand.isEmpty() ? "" : ", recreate it with " + String.join(" ", createCommand) + " if broken");
        }

        public String whatToCheck() {
            return "the check command's output above and the disk's health (dmesg)";
        }
    }

    record CreateFilesystem(Path device, List<String> createCommand) implements Step {
        public String describe() {
            return "create a filesystem on " + device + " with " + String.join(" ", createCommand);
        }

        public String whatToCheck() {
            return "the create command's output above and the disk's health (dmesg)";
        }
    }

    record MakeDirectory(Path path) implements Step {
        public String describe() {
            return "create directory " + path;
        }
    }

    /** {@code mount [arguments] [-t type] source target}. */
    record Mount(String source, Path target, Optional<String> type, List<String> arguments) implements Step {
        public String describe() {
            return "mount " + source + " on " + target + type.map(t -> " (" + t + ")").orElse("")
                    + (arguments.isEmpty() ? "" : " with " + String.join(" ", arguments));
        }

        public String whatToCheck() {
            return "dmesg for the filesystem's complaint, and the mount options";
        }
    }

    /**
     * Create the copy-on-write file: sparse, at most {@code maxBytes} (0: no limit) and leaving
     * {@code reserveBytes} free on its filesystem. With {@code persistentFor}, an existing file made
     * for the same image and RID is kept (recorded in {@code <file>.owner}); any other is replaced.
     */
    record CreateCowFile(Path file, long maxBytes, long reserveBytes, Optional<CowOwner> persistentFor) implements Step {
        public String describe() {
            return (persistentFor.isPresent() ? "reuse the copy-on-write file " + file + " if it belongs to "
                    + persistentFor.get() + ", else create it" : "create the copy-on-write file " + file)
                    + " (sparse, " + (maxBytes > 0 ? "at most " + ByteSizes.format(maxBytes) : "as large as the filesystem allows")
                    + ")";
        }

        public String whatToCheck() {
            return "free space on the filesystem holding " + file.getParent();
        }
    }

    /** {@code losetup --find --show file}; the loop device becomes {@code ${slot}}. */
    record AttachLoopDevice(Path file, String slot) implements Step {
        public String describe() {
            return "attach " + file + " to a free loop device as " + Slots.ref(slot);
        }

        public String whatToCheck() {
            return "that the loop module is loaded and a loop device is free (losetup -a)";
        }
    }

    /** A device known ahead becomes {@code ${slot}}. */
    record UseDevice(String slot, Path device, String why) implements Step {
        public String describe() {
            return "use " + device + " as " + Slots.ref(slot) + ": " + why;
        }
    }

    /**
     * Write (or, with no owner, wipe) the copy-on-write header at the partition's start, binding a
     * persistent store to one image and RID.
     */
    record WriteCowHeader(Path partition, Optional<CowOwner> owner) implements Step {
        public String describe() {
            return owner.map(o -> "mark " + partition + " as the copy-on-write store of " + o)
                    .orElse("wipe any copy-on-write header on " + partition + " (its data does not survive this boot)");
        }

        public String whatToCheck() {
            return "that " + partition + " is writable (dmesg)";
        }
    }

    /** Write zeros over a range, e.g. to make device-mapper start a new persistent store. */
    record ZeroRange(Path device, long offset, long length) implements Step {
        public String describe() {
            return "zero " + ByteSizes.format(length) + " of " + device + " at " + offset;
        }
    }

    /** {@code dmsetup create name --table ...}; the table may refer to slots. */
    record CreateDmDevice(String name, String table) implements Step {
        public String describe() {
            return "create device-mapper device /dev/mapper/" + name + ": " + table;
        }

        public String whatToCheck() {
            return "that dm-snapshot is loaded (lsmod), the devices in the table exist, and dmesg";
        }
    }

    /**
     * Write {@code /run/openslx/dmsetup.state} and set {@code ${cow.persistence}} to P or N for the
     * snapshot table.
     */
    record RecordCowState(CowState state) implements Step {
        public String describe() {
            return "record in " + CowState.PATH + ": copy-on-write in " + state.kind() + " (" + state.store() + "), "
                    + (state.persistent() ? "persistent (P)" : "not persistent (N)");
        }
    }

    /**
     * Run a program the config names. With {@code preferSysroot} it is looked up under /sysroot
     * first (the image brings it), else in the initramfs.
     */
    record RunProgram(String purpose, List<String> argv, Map<String, String> environment, boolean preferSysroot)
            implements Step {
        public String describe() {
            return "run " + String.join(" ", argv) + " (" + purpose + ")";
        }

        public String whatToCheck() {
            return "the program's output above; it comes from the config (" + purpose + ")";
        }
    }

    record WriteFile(Path path, String content, int mode) implements Step {
        public String describe() {
            return "write " + path + " (" + content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes, mode "
                    + Integer.toOctalString(mode) + ")";
        }
    }

    record MakeSymlink(Path link, String target) implements Step {
        public String describe() {
            return "link " + link + " -> " + target;
        }
    }

    /** Download a file from the first boot server that has it; {@code optional}: absent is fine. */
    record FetchFile(String what, List<URI> urls, Path target, boolean optional) implements Step {
        public String describe() {
            return "fetch " + what + " from " + urls.getFirst() + (urls.size() > 1 ? " (or " + (urls.size() - 1)
                    + " more servers)" : "") + " to " + target + (optional ? " if it exists" : "");
        }

        public String whatToCheck() {
            return "that the boot server is reachable and serves " + what;
        }
    }

    /** Unpack a tar(.gz) over {@code root}, refusing anything that would reach outside it. */
    record ExtractArchive(Path archive, Path root, boolean skipIfMissing) implements Step {
        public String describe() {
            return "extract " + archive + " over " + root + (skipIfMissing ? " if it was fetched" : "");
        }

        public String whatToCheck() {
            return "the archive's contents (tar tvzf); absolute paths, '..', device nodes and links out are refused";
        }
    }

    /**
     * Keep stage4's {@code /etc/fstab} but put stage3's entries first and drop the image's own lines
     * for the same mount points (stage4 must not remount its root from another device).
     */
    record UpdateFstab(Path fstab, List<String> entries) implements Step {
        public String describe() {
            return "put into " + fstab + ": " + String.join("; ", entries);
        }
    }

    /** Copy a file; if {@code target} is a directory, into it under the source's name. */
    record CopyFile(Path source, Path target) implements Step {
        public String describe() {
            return "copy " + source + " to " + target;
        }
    }

    /**
     * Start {@code steps} in their own thread and go on with the next step at once; the
     * {@link AwaitBackground} step with the same {@code what} waits for them and fails if they
     * failed. For work that waits on other machines or devices (attaching the image, a download)
     * while the boot prepares what does not depend on it. The steps run in order among themselves.
     */
    record InBackground(String what, List<Step> steps) implements Step {
        public String describe() {
            return "start in the background: " + what + " (" + steps.size() + " steps)";
        }
    }

    /** Wait until the {@link InBackground} steps named {@code what} have finished; their failure is this step's. */
    record AwaitBackground(String what) implements Step {
        public String describe() {
            return "wait for the background work: " + what;
        }
    }

    /**
     * Try {@code primary}; if any of its steps fails, say so loudly and run {@code fallback}
     * instead (the copy-on-write layer falls back to RAM this way).
     */
    record WithFallback(String what, List<Step> primary, List<Step> fallback) implements Step {
        public String describe() {
            return what + " (" + primary.size() + " steps), else fall back (" + fallback.size() + " steps)";
        }
    }
}
