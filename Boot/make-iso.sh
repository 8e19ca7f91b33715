#!/usr/bin/env bash
# make-iso.sh <kernel.elf> <out.iso>: a GRUB rescue image that boots the kernel on BIOS (El Torito) and
# UEFI (EFI system partition) through Multiboot1 (Boot/grub/grub.cfg).
set -euo pipefail
elf=$1; iso=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d); log=$(mktemp)
trap 'rm -rf "$root" "$log"' EXIT
mkdir -p "$root/boot/grub"
cp "$here/grub/grub.cfg" "$root/boot/grub/"
cp "$elf" "$root/boot/cosmosnet.elf"
# Only the modules the menu needs; no themes, fonts or translations.
if ! grub-mkrescue -o "$iso" --locales= --fonts= --themes= \
      --install-modules="multiboot normal configfile iso9660 part_msdos part_gpt fat" \
      "$root" >"$log" 2>&1; then
  cat "$log" >&2; exit 1
fi
