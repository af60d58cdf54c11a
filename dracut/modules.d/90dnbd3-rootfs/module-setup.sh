#!/bin/bash
# 90dnbd3-rootfs: boot the root filesystem from a qcow2 image served over dnbd3.
# A thin shell around `slx`: the hooks only start slx at the right moment and wait for it;
# every decision (network, config, servers, COW, dm table, mounts) is made by slx itself.
#
# Built by `slx initramfs build`, which prepares the Java payload and passes its folder in
# SLX_PAYLOAD: runtime/ (jlink'd JDK), slx.jar, slx.aot (AOT cache), jvm.args.

check() {
    # Only when asked for (-m / add_dracutmodules): it takes over the root.
    return 255
}

depends() {
    # systemd-networkd brings the network up (the seed's choice); dm brings the udev rules
    # (10-dm, 13-dm-disk, 95-dm-notify) without which dmsetup waits for udev forever.
    echo bash systemd-networkd systemd-modules-load dm
    # dracut-ng splits the initqueue into its own module; dracut 059 has it in base.
    local m
    for m in "$dracutbasedir"/modules.d/[0-9][0-9]initqueue; do
        [[ -d $m ]] && echo initqueue
    done
    return 0
}

installkernel() {
    # hostonly='' so a host-only build still gets them: the build host rarely uses nbd itself.
    hostonly='' instmods nbd dm-mod dm-snapshot loop virtio_net virtio_pci virtio_blk \
        ext4 btrfs xfs af_packet
}

install() {
    local payload="${SLX_PAYLOAD:?SLX_PAYLOAD is unset: build this initramfs with slx initramfs build}"
    local f rel lib

    # The Java payload, copied as is; its native libraries' system dependencies (libc, libdl,
    # libpthread, librt, libz ...) go through dracut's own resolution.
    mkdir -p "$initdir/opt/slx"
    cp -a "$payload"/. "$initdir/opt/slx/"
    while IFS= read -r -d '' f; do
        for lib in $(ldd "$f" 2> /dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
            case "$lib" in
                "$payload"/*) ;;
                *) inst "$lib" ;;
            esac
        done
    done < <(find "$payload/runtime" -type f \( -name '*.so' -o -path '*/bin/*' -o -name jspawnhelper \) -print0)

    inst_script "$moddir/slx.sh" /usr/bin/slx
    inst_script "$moddir/slx-start-daemon.sh" /usr/lib/slx/start-daemon
    inst_script "$moddir/slx-root-ready.sh" /usr/lib/slx/root-ready
    inst_script "$moddir/slx-break-shell.sh" /usr/lib/slx/break-shell
    inst_script "$moddir/slx-break-wait.sh" /usr/lib/slx/break-wait
    inst_hook cmdline 05 "$moddir/slx-cmdline.sh"

    # Tools the storage plan runs; mkfs/fsck for the COW filesystems the config may name.
    inst_multiple dmsetup losetup blkid mount umount setsid nbd-client ip networkctl \
        sed awk cut tr sleep cat
    inst_multiple -o mkfs.ext4 fsck.ext4 e2fsck mke2fs mkfs.btrfs btrfs fsck.btrfs mkfs.xfs \
        xfs_repair lsblk sgdisk partx
    inst_multiple -o "$systemdutildir"/systemd-networkd-wait-online

    # Loaded early by systemd-modules-load, in parallel with udev, not on the boot's critical path.
    mkdir -p "$initdir/etc/modules-load.d"
    printf '%s\n' nbd dm-snapshot loop > "$initdir/etc/modules-load.d/slx-netboot.conf"
    # One nbd device, not 16: the root daemon serves /dev/nbd0 only, and every idle device is
    # two more events for udev's coldplug, which the network waits for. More devices can still
    # be created later (nbd-client over netlink adds one when all are taken).
    mkdir -p "$initdir/etc/modprobe.d"
    echo 'options nbd nbds_max=1' > "$initdir/etc/modprobe.d/slx-netboot.conf"
    # virtio-net (clients in VMs) without its transmit NAPI: at power-off, a send from the root
    # daemon (which runs to the very end, e.g. its keepalive) could spin for ever in start_xmit
    # against virtnet_poll_tx on the other CPU (Debian 6.1: soft lockup, no "Power down"; seen
    # in a CI boot). Without tx NAPI, start_xmit reaps sent buffers itself and never loops.
    echo 'options virtio_net napi_tx=0' >> "$initdir/etc/modprobe.d/slx-netboot.conf"

    # slx writes the network files from the kernel command line (PXE ip=/BOOTIF= included);
    # systemd's own generator would try to parse those forms and fail.
    $SYSTEMCTL -q --root "$initdir" mask systemd-network-generator.service
    # dracut-ng's systemd-networkd module adds a catch-all DHCP file (zzzz-dracut-default.network)
    # for every interface; dracut 059 has none. slx configures the boot interface itself, and a
    # second NIC without a DHCP server would keep systemd-networkd-wait-online (and the boot)
    # waiting until its timeout. dracut-ng's own cmdline hook drops the file too once a .network
    # file was generated, but our daemon may write its files only later.
    [[ $systemdnetworkconfdir ]] && rm -f -- "$initdir$systemdnetworkconfdir/zzzz-dracut-default.network"

    dracut_need_initqueue
}
