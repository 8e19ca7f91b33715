# CosmosNet — build, boot and test the unikernel.
#   make run    build the default app and boot it in QEMU (serial on the terminal)
#   make test   every test suite; ends with one "N passed, N failed" line
SHELL := /bin/bash
.DEFAULT_GOAL := all
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

# ---- host tools: installed from Debian when missing --------------------------------------------
DEBIAN_PACKAGES := qemu-system-x86 qemu-utils bochs bochsbios vgabios nasm clang lld xorriso \
  grub-pc-bin grub-efi-amd64-bin grub-common mtools ovmf tcpdump socat netcat-openbsd iperf3 wrk \
  iproute2 python3-scapy ethtool procps iputils-ping curl
REQUIRED_TOOLS := qemu-system-x86_64 bochs nasm clang ld.lld xorriso grub-mkrescue mformat tcpdump \
  socat nc iperf3 wrk ip ethtool ping curl
REQUIRED_FILES := /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin \
  /usr/lib/grub/i386-pc/modinfo.sh /usr/lib/grub/x86_64-efi/modinfo.sh /usr/share/OVMF/OVMF_CODE.fd

.PHONY: deps
deps:
	@missing=""; \
	for t in $(REQUIRED_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	for f in $(REQUIRED_FILES); do [ -e $$f ] || missing="$$missing $$f"; done; \
	/usr/bin/python3 -c 'import scapy' 2>/dev/null || missing="$$missing scapy"; \
	if [ -n "$$missing" ]; then \
	  echo "deps: missing:$$missing — installing Debian packages"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null; \
	fi
	@command -v dotnet >/dev/null || { echo "deps: the .NET SDK (10.0.4xx, see global.json) is required"; exit 1; }

# ---- tests --------------------------------------------------------------------------------------
.PHONY: test
test: deps
	@tests/run-suites.sh

# ---- build and boot -----------------------------------------------------------------------------
#   make [APP=<dir>]            build iso/cosmosnet.elf and iso/cosmosnet.iso for the app in <dir>
#   make run [APP=<dir>]        ... and boot the ELF in QEMU (TCG), serial on the terminal
#   make run-iso / run-bochs    boot the ISO in QEMU / in Bochs (headless, COM1 on the terminal)
# Every boot goes through tools/guest (tools/Harness: the one definition of the QEMU and Bochs command lines).
# QEMU exits 0 when the app's Main returns 0, 3 on a panic, 5 when Main returns non-zero.
APP ?= Apps/HttpServer
# `make run` forwards these loopback ports to the guest's HTTP (80) and echo (7) servers (QEMU user-mode network;
# the guest gets 10.0.2.15 by DHCP). Override when they are taken: make run HTTP_PORT=9080.
HTTP_PORT ?= 8080
ECHO_PORT ?= 8007
# The guest's NIC for the run targets: virtio (default), rtl8139, e1000, e1000e, vmxnet3. Named on make's command
# line (make test NIC=e1000e) it also becomes the default NIC of every guest the tests and benchmarks boot
# (the harness reads COSMOS_NIC; tests that name their NIC keep it). QEMU_ACCEL=kvm where KVM works.
NIC ?= virtio
ifeq ($(origin NIC),command line)
export COSMOS_NIC := $(NIC)
endif
QEMU_ACCEL ?= $(or $(COSMOS_ACCEL),tcg)
export COSMOS_ACCEL := $(QEMU_ACCEL)
ELF := iso/cosmosnet.elf
ISO := iso/cosmosnet.iso
GUEST := tools/guest
RUN_FLAGS := --memory 512 --nic $(NIC) --forward 127.0.0.1:$(HTTP_PORT):80 --forward 127.0.0.1:$(ECHO_PORT):7
# make run CONFIG=path: the file becomes /config/appsettings.json in the guest (a Multiboot module).
RUN_CONFIG := $(if $(CONFIG),--initrd "$(abspath $(CONFIG)) appsettings.json")

.PHONY: all elf iso run run-iso run-uefi run-bochs
all: elf iso

# Always handed to dotnet publish (incremental): it knows what changed. CosmosNetRoot lets apps outside
# this repository find Kernel/CosmosNet.App.targets.
elf: deps
	@dotnet publish "$(APP)" -c Release --nologo -v quiet -p:CosmosNetRoot=$(CURDIR)/ -p:CosmosImageDir=$(CURDIR)/iso/
	@ls -l $(ELF) | awk '{print "image: $(ELF) (" $$5 " bytes)"}'

# GRUB rescue image: boots on BIOS (El Torito) and UEFI (EFI system partition) alike.
iso: elf
	@Boot/make-iso.sh $(ELF) $(ISO)
	@ls -l $(ISO) | awk '{print "image: $(ISO) (" $$5 " bytes)"}'

run: elf
	@echo "serving on http://127.0.0.1:$(HTTP_PORT)/ (echo: 127.0.0.1:$(ECHO_PORT)) once the guest prints its address"
	@$(GUEST) qemu --kernel $(ELF) $(RUN_FLAGS) $(RUN_CONFIG)

run-iso: iso
	@$(GUEST) qemu --cdrom $(ISO) $(RUN_FLAGS)

# UEFI boot of the same ISO (OVMF firmware).
run-uefi: iso
	@$(GUEST) qemu --cdrom $(ISO) --uefi --memory 512

# VMware appliance beside the ISO: iso/cosmosnet.vmx (boots the ISO; COM1 -> cosmosnet-serial.log beside the .vmx)
# and iso/cosmosnet.ova (OVF + manifest + streamOptimized VMDK) for Workstation or ESXi (Boot/make-vmware.sh).
VMWARE_FIRMWARE ?= bios
VMWARE_NIC ?= e1000e
.PHONY: vmware
vmware: iso
	@VMWARE_FIRMWARE=$(VMWARE_FIRMWARE) VMWARE_NIC=$(VMWARE_NIC) Boot/make-vmware.sh $(ISO)
	@ls -l iso/cosmosnet.vmx iso/cosmosnet.ova | awk '{print "vmware: " $$9 " (" $$5 " bytes)"}'

# Bochs prints COM1 live (and into iso/bochs-serial.txt) and keeps its own log in iso/bochs.log; the status
# follows the serial output (Bochs itself exits 1 however the guest stops it): 0 after "Main returned 0", 3 on a panic.
# The guest has Bochs's e1000 on its slirp network, with the same port forwards as `make run`.
BOCHS_TIMEOUT ?= 300
run-bochs: iso
	@$(GUEST) bochs --iso $(ISO) --timeout $(BOCHS_TIMEOUT) --forward 127.0.0.1:$(HTTP_PORT):80 --forward 127.0.0.1:$(ECHO_PORT):7

# ---- fuzzing: AFL++ over the SharpFuzz harness of the stack's input path ------------------------
# Bounded: FUZZ_SECONDS of afl-fuzz. New crashers land in tests/Net.Tests/Fuzz/crashers/ (replayed by make test).
FUZZ_SECONDS ?= 120
.PHONY: fuzz
fuzz: deps
	@tests/Net.Fuzz/fuzz.sh $(FUZZ_SECONDS)

# ---- benchmarks ---------------------------------------------------------------------------------
#   make bench-kernel   timer/switch/interrupt latencies and idle host CPU -> bench/results/kernel.txt
.PHONY: bench-kernel
bench-kernel: deps
	@bench/kernel/run.sh

#   make bench-gc       GC allocation rate and pause p50/p99 at 16/64 MiB live -> bench/results/gc.txt
.PHONY: bench-gc
bench-gc: deps
	@bench/gc/run.sh

# ---- benchmarks: the network stack --------------------------------------------------------------
# BenchmarkDotNet (input path, allocations, two-stack bulk over the simulator) into bench/results/net/, then
# tools/TapHost against Linux's own loopback TCP in the same run (needs root) into bench/results/net-tap.txt.
BENCH_TAP_MIB ?= 256
.PHONY: bench-net
bench-net: deps
	@mkdir -p bench/results
	@dotnet run -c Release --project bench/Net.Bench -- --filter '*' --results bench/results/net
	@cat bench/results/net/results/*-report-github.md > bench/results/net-bench.md
	@bench/net-tap.sh $(BENCH_TAP_MIB) | tee bench/results/net-tap.txt

#   make bench-net-guest  the default app serving under QEMU TCG: boot to DHCP lease, curl latency, echo and
#                         POST /echo throughput (BENCH_GUEST_MB, default 32) -> bench/results/net-guest.md
BENCH_GUEST_MB ?= 32
.PHONY: bench-net-guest
bench-net-guest: deps
	@mkdir -p bench/results
	@bench/net-guest.sh $(BENCH_GUEST_MB) | tee bench/results/net-guest.md

# ---- benchmarks: CosmosNet against a Linux guest, and all of them at once -----------------------
#   make bench-linux    Debian's kernel + a static C /init booted like our image (bench/linux-guest/);
#                       boot time, timer/switch latencies, idle host CPU, RAM -> bench/results/kernel-vs-linux.md
#                       (installs linux-image-amd64, cpio, gcc on first use: bench only, not in `make deps`)
#   make bench          every target of bench/targets.json, in order -> bench/results/summary.md (figures, sources,
#                       dates, host load). Never part of `make test`.
.PHONY: bench-linux bench
bench-linux: deps
	@bench/linux-guest/run.sh

bench: deps
	@bench/run-all.py
