#!/usr/bin/env bash
# Builds the Linux comparison guest: Debian's own kernel image plus a tiny initramfs whose /init is
# measure.c, statically linked. Out: iso/bench-linux/{vmlinuz,initramfs.cpio.gz}. Installs the bench-only
# Debian packages (kernel image, cpio, gcc) when missing — deliberately not part of `make deps`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=iso/bench-linux
mkdir -p "$out"

vmlinuz=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$vmlinuz" ] || ! command -v cpio >/dev/null || ! command -v gcc >/dev/null; then
  echo "bench-linux: installing Debian's kernel image, cpio and gcc (bench only)"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    linux-image-amd64 cpio gcc libc6-dev >/dev/null
  vmlinuz=$(ls /boot/vmlinuz-*-amd64 | sort -V | tail -1)
fi
cp "$vmlinuz" "$out/vmlinuz"
echo "$(basename "$vmlinuz") ($(dpkg-query -W -f='${Version}' linux-image-amd64 2>/dev/null || echo '?'))" >"$out/kernel-version"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
gcc -O2 -static -pthread -Wall -o "$root/init" bench/linux-guest/measure.c
mkdir -p "$root/dev" "$root/proc" "$root/sys"
mknod "$root/dev/console" c 5 1   # the kernel opens it for init's stdio before any devtmpfs exists
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$out/initramfs.cpio.gz"
ls -l "$out/vmlinuz" "$out/initramfs.cpio.gz" | awk '{print "bench-linux: " $NF " (" $5 " bytes)"}'
