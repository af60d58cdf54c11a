#!/usr/bin/env bash
# Installs every Debian package that slx-netboot's build, tests, benchmarks and demo need.
# Idempotent and quick when everything is there: only missing packages are installed.
# Usage: scripts/install-deps.sh [--quiet]
set -euo pipefail

# Why each package is here:
packages=(
  maven                      # builds the project (JDK 25 is expected at /usr/lib/jvm/temurin-25-jdk-amd64)
  qemu-utils                 # qemu-img / qemu-io / qemu-nbd: the reference qcow2 and NBD peers in tests
  libnbd-bin                 # nbdcopy / nbdinfo: real NBD clients in tests and benchmarks
  python3-libnbd             # nbdsh: an NBD client with structured replies switched off (kernel-like)
  nbdkit                     # a second NBD implementation to compare against
  curl                       # a real HTTP client for the boot server's tests
  zstd                       # zstd-compressed qcow2 test images (and the baseline initramfs)
  lz4                        # our initramfs compression: the kernel unpacks it 2.7x faster than zstd under emulation
  libzstd1 libdeflate0       # native decoders of compressed qcow2 clusters (Java ones are the fallback)
  qemu-system-x86            # the VM that boots a client in the end-to-end tests and the demo
  ipxe-qemu                  # qemu's virtio-net option ROM (iPXE) for the network-boot test
  linux-image-cloud-amd64    # a small Debian kernel for the test client
  dracut dracut-network      # builds the client's initramfs
  nbd-client dmsetup         # tools the initramfs runs
  busybox-static             # a tiny init for the stage4 test image
  debootstrap                # a Debian bookworm stage4 with systemd for the full-distribution boot test
  gdisk e2fsprogs btrfs-progs dosfstools fdisk  # partition tables and filesystems for test images
  xfsprogs                   # mkfs.xfs: xfs labels in the partition-finder tests
  cpio                       # inspecting initramfs images
  chromium                   # headless browser for the status-page test
)
missing=()
for p in "${packages[@]}"; do
  [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  [ "${1:-}" = --quiet ] || echo "install-deps: all Debian packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
