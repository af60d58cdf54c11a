#!/usr/bin/env bash
# Boot benchmark (docs/BENCHMARKS.md, section "Boot"): our initramfs and root daemon against
# dracut's own 95nbd module booting the same stage4 disk exported raw by qemu-nbd; same VM,
# same kernel, boots alternating so both see the same load. Usage: bench/boot.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
exec ./slx demo --no-install --compare-baseline "${1:-3}"
