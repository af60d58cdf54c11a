#!/usr/bin/env bash
# How long the kernel takes to unpack an initramfs in the test VM (docs/BENCHMARKS.md, "Boot",
# "Early boot"): the same qemu as the boot benchmark (TCG, 2 CPUs, 1 GiB), the kernel only, with
# rdinit= pointing nowhere so it stops (and qemu exits) right after unpacking. Prints the time
# between the kernel's "Trying to unpack" and "Freeing initrd memory" lines.
#
# Usage: bench/initramfs-unpack.sh INITRAMFS [ROUNDS]
#        bench/initramfs-unpack.sh --compressors INITRAMFS [ROUNDS]
#   --compressors: also repack the image's cpio with zstd -15, lz4 -l -9, gzip -9 and none
#   and measure each, alternating, so that all see the same load.
set -euo pipefail

kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2> /dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || { echo "no cloud kernel in /boot (scripts/install-deps.sh installs it)" >&2; exit 1; }

unpack_seconds() {
    local out start end
    out=$(timeout 180 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 -display none \
        -serial stdio -monitor none -no-reboot -nodefaults -kernel "$kernel" -initrd "$1" \
        -append "console=ttyS0 panic=-1 rdinit=/nonexistent root=/dev/nonexistent" 2>&1 || true)
    start=$(sed -n 's/^\[ *\([0-9.]*\)\] Trying to unpack.*/\1/p' <<< "$out")
    end=$(sed -n 's/^\[ *\([0-9.]*\)\] Freeing initrd memory.*/\1/p' <<< "$out")
    [ -n "$start" ] && [ -n "$end" ] || { echo "no unpack lines from the kernel for $1" >&2; return 1; }
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

repack=false
if [ "${1:-}" = --compressors ]; then
    repack=true
    shift
fi
image=${1:?usage: bench/initramfs-unpack.sh [--compressors] INITRAMFS [ROUNDS]}
rounds=${2:-2}

images=("$image")
if $repack; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # dracut's images are one archive; skipcpio/early-microcode parts are not handled here.
    case $(head -c 4 "$image" | od -An -tx1 | tr -d ' ') in
        28b52ffd) zstd -dc "$image" > "$work/cpio" ;;
        02214c18) lz4 -dc "$image" > "$work/cpio" ;;
        1f8b*) gzip -dc "$image" > "$work/cpio" ;;
        *) cp "$image" "$work/cpio" ;;
    esac
    zstd -15 -q -T0 -c "$work/cpio" > "$work/zstd"
    lz4 -l -9 -q -c "$work/cpio" > "$work/lz4"
    gzip -9 -c "$work/cpio" > "$work/gzip"
    cp "$work/cpio" "$work/none"
    images=("$work/zstd" "$work/lz4" "$work/gzip" "$work/none")
fi

for round in $(seq "$rounds"); do
    for i in "${images[@]}"; do
        printf '%-8s %6.1f MB  unpack %s s  (round %d, load %s)\n' "$(basename "$i")" \
            "$(awk -v s="$(stat -c %s "$i")" 'BEGIN { print s / 1e6 }')" "$(unpack_seconds "$i")" \
            "$round" "$(cut -d' ' -f1 /proc/loadavg)"
    done
done
