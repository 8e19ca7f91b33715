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
  iproute2 python3-scapy ethtool procps iputils-ping curl gdb
REQUIRED_TOOLS := qemu-system-x86_64 bochs nasm clang ld.lld xorriso grub-mkrescue mformat tcpdump \
  socat nc iperf3 wrk ip ethtool ping curl gdb
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

#   make test-hostile   issue 14's hostile clients with the issue's long figures (HOSTILE_FULL=1): zero windows held for
#                       minutes, 10 seeds of 64 MiB impaired transfers, 10,000 distinct mutated frames (~50 min under
#                       TCG, 39 of them the transfers; bench/results/hostile-full.md). make test runs the same suite
#                       (tests/suites.d/net-hostile.list) with 30 s zero windows, 3 seeds of 1 MiB and 2,500 distinct
#                       frames; the floods, slowloris and 16 MiB cases are the same in both.
.PHONY: test-hostile
test-hostile: deps
	@HOSTILE_FULL=1 timeout --kill-after=30 5400 dotnet test tests/Hostile.Tests/Hostile.Tests.csproj -c Release --nologo --logger "console;verbosity=normal"

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
# The diagnostics console (type help): COM2, served on iso/console.sock (socat -,raw,echo=0 UNIX-CONNECT:iso/console.sock);
# make run CONSOLE=com1 puts it on this terminal's COM1 beside the log instead.
CONSOLE ?= com2
COMMA := ,
CONSOLE_SOCKET := $(CURDIR)/iso/console.sock
RUN_CONSOLE := $(if $(filter com1,$(CONSOLE)),--append console=com1,--console unix:$(CONSOLE_SOCKET)$(COMMA)server=on$(COMMA)wait=off)

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
	@$(if $(filter com1,$(CONSOLE)),,echo "console: socat -,raw,echo=0 UNIX-CONNECT:$(CONSOLE_SOCKET)")
	@$(GUEST) qemu --kernel $(ELF) $(RUN_FLAGS) $(RUN_CONFIG) $(RUN_CONSOLE)

# make debug [APP=<dir>]: QEMU stopped before the first instruction with its gdb stub on 127.0.0.1:$(GDB_PORT), and gdb
# with the ELF's symbols and tools/gdb/cosmosnet.gdb (breaks on panics; cosmos-exception, cosmos-threads, cosmos-name).
# COM1 goes to iso/serial.log, the console to iso/console.sock; leaving gdb stops QEMU. README: "Debugging".
GDB_PORT ?= 1234
.PHONY: debug
debug: elf
	@rm -f iso/debug-qemu.pid iso/serial.log
	@echo "debug: COM1 -> iso/serial.log (tail -f iso/serial.log); console: socat -,raw,echo=0 UNIX-CONNECT:$(CONSOLE_SOCKET)"
	@$(GUEST) qemu --kernel $(ELF) $(RUN_FLAGS) --serial file:iso/serial.log --console unix:$(CONSOLE_SOCKET),server=on,wait=off \
	  --gdb $(GDB_PORT) --pid-file iso/debug-qemu.pid & \
	for i in $$(seq 300); do [ -s iso/debug-qemu.pid ] && break; sleep 0.2; done; \
	gdb -q -x tools/gdb/cosmosnet.gdb -ex "target remote 127.0.0.1:$(GDB_PORT)" $(ELF); \
	kill $$(cat iso/debug-qemu.pid) 2>/dev/null; true

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

# ---- profiling ----------------------------------------------------------------------------------
#   make profile [APP=Apps/HttpServer] [NIC=virtio] [SECONDS=10] [HZ=997] [LOAD='wrk -t1 -c16 -d{seconds}s {url}'] [PROFILE_NET=tap]
#   boots the app with the kernel's sampling profiler (profile=HZ) while LOAD runs ({url}/{port}: guest port 80
#   forwarded; LOAD=none only samples) -> bench/results/profile/<app>-<nic>.folded, .svg (flame graph), .txt
#   (top functions; MMIO/port writes, interrupts, switches, GC steps per request).
SECONDS ?= 10
HZ ?= 997
LOAD ?= wrk -t1 -c16 -d{seconds}s {url}
# PROFILE_NET=tap: a TAP device in a namespace of its own (needs root) instead of QEMU's user network.
PROFILE_NET ?= user
PROFILE_NAME ?= $(shell basename $(APP) | tr A-Z a-z)-$(NIC)$(if $(filter tap,$(PROFILE_NET)),-tap)
.PHONY: profile
profile: elf
	@$(GUEST) profile --kernel $(ELF) --name $(PROFILE_NAME) --nic $(NIC) --seconds $(SECONDS) --hz $(HZ) --load '$(LOAD)' \
	  $(if $(filter tap,$(PROFILE_NET)),--tap)

#   make bench-boot [BOOT_RUNS=3]  QEMU start to the first HTTP 200 of Apps/HttpServer, static address and DHCP, e1000
#   and virtio, side by side with the Linux guest of bench/linux-guest (nginx, static 10.0.2.15), with the
#   time-stamped serial log of each -> bench/results/boot.md.
BOOT_RUNS ?= 3
.PHONY: bench-boot
bench-boot: deps
	@mkdir -p iso/bench-boot-http bench/results
	@bench/linux-guest/build.sh >/dev/null
	@tools/guest build Apps/HttpServer --image-dir iso/bench-boot-http >/dev/null
	@tools/guest boot-time --kernel iso/bench-boot-http/cosmosnet.elf --runs $(BOOT_RUNS) --output bench/results/boot.md \
	  --linux-kernel iso/bench-linux/vmlinuz --linux-initrd iso/bench-linux/serve.cpio.gz \
	  --linux-append "console=ttyS0 panic=-1 quiet -- serve 10.0.2.15/24"

#   make soak             SOAK_MINUTES (default 60) of mixed load on Apps/HttpServer (TAP, TCG): keep-alive and short
#                         connections, 1 MiB POSTs, connection floods in bursts; memory, connections, GC, errors every
#                         10 s -> bench/results/soak.md + soak.svg (issue 14). Needs root. Not in make test or make bench.
SOAK_MINUTES ?= 60
.PHONY: soak
soak: deps
	@bench/soak/run.sh $(SOAK_MINUTES)

# ---- benchmarks: CosmosNet against a Linux guest, and all of them at once -----------------------
#   make bench-linux    Debian's kernel + a static C /init booted like our image (bench/linux-guest/);
#                       boot time, timer/switch latencies, idle host CPU, RAM -> bench/results/kernel-vs-linux.md
#                       (installs linux-image-amd64, cpio, gcc on first use: bench only, not in `make deps`)
#   make bench-http     Apps/HttpServer against the Linux guest + nginx (same page, NIC, RAM, vCPU), booted
#                       alternately on a TAP device, wrk keep-alive -c1/16/256 and Connection: close -c16; medians of
#                       3 pairs and ratios -> bench/results/http.md. NIC=e1000 for one NIC (default: virtio and e1000)
#   make bench-memory   Apps/HttpServer alone at 512, 64, 32 and 16 MiB (BENCH_MEMORIES), wrk -c16 keep-alive and
#                       Connection: close: what less RAM costs in speed -> bench/results/memory.md (NIC=virtio default)
#   make bench-nic      per NIC, bulk TCP each way and echo round trips, CosmosNet and the Linux guest side by side
#                       -> bench/results/nic.md. NIC=virtio for one NIC (default: all five)
#   make bench-aspnet   issue 17: Apps/AspNetMinimal as the appliance against the same Program.cs as a NativeAOT
#                       linux-x64 binary in the Linux guest (bench/aspnet/, aspnet.cpio.gz), same NIC, RAM, vCPU, booted
#                       alternately on a TAP device: wrk as bench-http, boot to first 200, image size, smallest RAM that
#                       serves -> bench/results/aspnet.md (NIC=virtio for one NIC; default virtio and e1000). Its
#                       Http11Probe score against the same binary on the host: bench/Http11Probe/run.sh aspnet
#                       -> bench/results/aspnet-conformance.md (needs the probe's source: not in make bench)
#   make bench          every target of bench/targets.json, in order -> bench/results/summary.md (figures, sources,
#                       dates, host load). Never part of `make test`.
.PHONY: bench-linux bench-http bench-aspnet bench-memory bench-nic bench
bench-linux: deps
	@bench/linux-guest/run.sh

bench-http: deps
	@BENCH_NICS="$(if $(filter command line,$(origin NIC)),$(NIC),virtio e1000)" /usr/bin/python3 bench/serving/http_bench.py

bench-aspnet: deps
	@BENCH_NICS="$(if $(filter command line,$(origin NIC)),$(NIC),virtio e1000)" /usr/bin/python3 bench/serving/aspnet_bench.py

bench-memory: deps
	@BENCH_NICS="$(if $(filter command line,$(origin NIC)),$(NIC),virtio)" /usr/bin/python3 bench/serving/memory_bench.py

bench-nic: deps
	@BENCH_NICS="$(if $(filter command line,$(origin NIC)),$(NIC),virtio e1000 e1000e rtl8139 vmxnet3)" /usr/bin/python3 bench/serving/nic_bench.py

bench: deps
	@bench/run-all.py
