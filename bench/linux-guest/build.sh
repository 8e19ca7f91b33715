#!/usr/bin/env bash
# Builds the Linux comparison guest: Debian's own kernel image plus two tiny initramfs images.
#   initramfs.cpio.gz  /init = measure.c (make bench-linux: boot, timers, switches)
#   serve.cpio.gz      /init = serve.c (make bench-http, make bench-nic): the NIC modules, nginx serving
#                      Apps/HttpServer's page, iperf3, TCP echo and POST echo (serve.c's header says what)
#   aspnet.cpio.gz     only with `build.sh --aspnet BINARY` (make bench-aspnet): /init = serve.c, the NIC modules and
#                      BINARY (Apps/AspNetMinimal for linux-x64, NativeAOT) as /app/aspnet, which serve.c runs
# Out: iso/bench-linux/. Installs the bench-only Debian packages (kernel image, cpio, gcc, nginx, iperf3) when
# missing — deliberately not part of `make deps`.
set -euo pipefail
aspnet=
if [ "${1:-}" = --aspnet ]; then aspnet=$(realpath "$2"); fi
cd "$(dirname "$0")/../.."
out=iso/bench-linux
mkdir -p "$out"

vmlinuz=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$vmlinuz" ] || ! command -v cpio >/dev/null || ! command -v gcc >/dev/null \
   || [ ! -x /usr/sbin/nginx ] || [ ! -x /usr/bin/iperf3 ]; then
  echo "bench-linux: installing Debian's kernel image, cpio, gcc, nginx and iperf3 (bench only)"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    linux-image-amd64 cpio gcc libc6-dev nginx iperf3 >/dev/null
  vmlinuz=$(ls /boot/vmlinuz-*-amd64 | sort -V | tail -1)
fi
cp "$vmlinuz" "$out/vmlinuz"
kver=${vmlinuz#/boot/vmlinuz-}
echo "$(basename "$vmlinuz") ($(dpkg-query -W -f='${Version}' linux-image-amd64 2>/dev/null || echo '?'))" >"$out/kernel-version"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
pack() { (cd "$1" && find . | cpio -o -H newc --quiet | gzip -9) >"$2"; }

mkdir "$root/measure"
gcc -O2 -static -pthread -Wall -o "$root/measure/init" bench/linux-guest/measure.c
mkdir -p "$root/measure/dev" "$root/measure/proc" "$root/measure/sys"
mknod "$root/measure/dev/console" c 5 1   # the kernel opens it for init's stdio before any devtmpfs exists
pack "$root/measure" "$out/initramfs.cpio.gz"

# The serving guests share a base: /init = serve.c, the NIC drivers, passwd/group.
b=$root/base
mkdir -p "$b"/{dev,proc,sys,tmp,run,etc}
gcc -O2 -static -pthread -Wall -o "$b/init" bench/linux-guest/serve.c 2>&1 | grep -v 'getaddrinfo' >&2 || true
mknod "$b/dev/console" c 5 1
echo 'root:x:0:0:root:/:/init' >"$b/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/init' >>"$b/etc/passwd"
echo 'root:x:0:' >"$b/etc/group"; echo 'nogroup:x:65534:' >>"$b/etc/group"
# NIC drivers (virtio, e1000, e1000e, rtl8139, vmxnet3) and what they depend on, in load order.
: >"$b/modules.list"
for m in virtio_pci virtio_net e1000 e1000e 8139cp 8139too vmxnet3; do
  modprobe --show-depends -S "$kver" "$m" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
  mkdir -p "$b$(dirname "$ko")"
  cp "$ko" "$b$ko"
  echo "$ko" >>"$b/modules.list"
done
# A program with the libraries ldd names, at their own paths.
add_program() {   # tree, program[, path in the tree]
  local to=${3:-$2}
  mkdir -p "$1$(dirname "$to")"
  cp -L "$2" "$1$to"
  for f in $(ldd "$2" | grep -o '/[^ ]*'); do
    mkdir -p "$1$(dirname "$f")"
    cp -L "$f" "$1$f"
  done
}

# serve.cpio.gz: nginx serving Apps/HttpServer's page, iperf3 (and serve.c's own echo servers).
s=$root/serve
cp -a "$b" "$s"
mkdir -p "$s"/{www,etc/nginx,var/lib/nginx,var/log/nginx}
for prog in /usr/sbin/nginx /usr/bin/iperf3; do add_program "$s" "$prog"; done
cp Apps/HttpServer/wwwroot/index.html "$s/www/index.html"   # the same bytes the app serves at /
cp bench/linux-guest/nginx.conf "$s/etc/nginx/nginx.conf"
pack "$s" "$out/serve.cpio.gz"

# aspnet.cpio.gz (with --aspnet BINARY, make bench-aspnet): Apps/AspNetMinimal as a NativeAOT linux-x64 binary at
# /app/aspnet, which serve.c then runs instead of nginx, iperf3 and its echo servers.
if [ -n "$aspnet" ]; then
  a=$root/aspnet
  cp -a "$b" "$a"
  add_program "$a" "$aspnet" /app/aspnet
  pack "$a" "$out/aspnet.cpio.gz"
  ls -l "$out/aspnet.cpio.gz" | awk '{print "bench-linux: " $NF " (" $5 " bytes)"}'
fi
ls -l "$out/vmlinuz" "$out/initramfs.cpio.gz" "$out/serve.cpio.gz" | awk '{print "bench-linux: " $NF " (" $5 " bytes)"}'
