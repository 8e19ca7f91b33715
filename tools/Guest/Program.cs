// tools/guest: build and boot CosmosNet images (or any kernel + initrd) with the harness's one definition of
// the QEMU and Bochs command lines. Examples:
//   tools/guest build Apps/HttpServer --image-dir iso
//   tools/guest qemu --kernel iso/cosmosnet.elf --memory 512 --nic e1000 --forward 8080:80 --forward 8007:7
//   tools/guest qemu --kernel vmlinuz --initrd initramfs.cpio.gz --append "console=ttyS0" --no-exit-device --timestamps
//   tools/guest qemu --cdrom iso/cosmosnet.iso --uefi
//   tools/guest bochs --iso iso/cosmosnet.iso
// `qemu` exits with QEMU's status (the kernel's: 0 ok, 3 panic, 5 Main returned non-zero), 124 on timeout.
using System.CommandLine;
using System.Globalization;
using CosmosNet.Harness;

var appArgument = new Argument<string>("app") { Description = "App directory to publish (e.g. Apps/HttpServer, bench/kernel)" };
var imageDir = new Option<string>("--image-dir") { Description = "Where the image goes (cosmosnet.elf)", Required = true };
var iso = new Option<bool>("--iso") { Description = "Also make the GRUB ISO (cosmosnet.iso)" };
var build = new Command("build", "Publish an app into an image directory; prints the ELF's path (and the ISO's)") { appArgument, imageDir, iso };
build.SetAction(parse =>
{
    string elf = Image.Build(parse.GetValue(appArgument)!, parse.GetValue(imageDir)!);
    Console.WriteLine(elf);
    if (parse.GetValue(iso)) Console.WriteLine(Image.BuildIso(elf));
    return 0;
});

var kernel = new Option<string?>("--kernel") { Description = "ELF (multiboot) or Linux bzImage to boot with -kernel" };
var initrd = new Option<string?>("--initrd") { Description = "initrd for --kernel" };
var append = new Option<string?>("--append") { Description = "Kernel command line (CosmosNet: Main's arguments, ip=...)" };
var cdrom = new Option<string?>("--cdrom") { Description = "ISO to boot from the CD-ROM instead of --kernel" };
var uefi = new Option<bool>("--uefi") { Description = "UEFI firmware (OVMF) instead of SeaBIOS" };
var memory = new Option<int>("--memory", "-m") { Description = "RAM in MiB", DefaultValueFactory = _ => 256 };
var machine = new Option<string>("--machine") { Description = "Machine type", DefaultValueFactory = _ => "pc" };
machine.AcceptOnlyFromAmong("pc", "q35");
var nic = new Option<string?>("--nic") { Description = "NIC model (gives the guest a NIC; user networking unless --tap)" };
nic.AcceptOnlyFromAmong(Enum.GetNames<Nic>().Select(n => n.ToLowerInvariant()).ToArray());
var forward = new Option<string[]>("--forward") { Description = "[udp:][ADDRESS:]HOSTPORT:GUESTPORT forwarded into the guest (user networking)", Arity = ArgumentArity.ZeroOrMore };
var tap = new Option<string?>("--tap") { Description = "Existing TAP device for the NIC instead of user networking" };
var netns = new Option<string?>("--netns") { Description = "Network namespace the TAP device (and QEMU) live in" };
var serial = new Option<string>("--serial") { Description = "QEMU -serial value: stdio, file:PATH, unix:PATH,server=on,wait=off, ...", DefaultValueFactory = _ => "stdio" };
var console = new Option<string?>("--console") { Description = "COM2 (the diagnostics console): a QEMU -serial value, e.g. unix:PATH,server=on,wait=off; none by default" };
var allowReboot = new Option<bool>("--allow-reboot") { Description = "Let the guest reboot instead of ending QEMU on a reset (panic=reboot)" };
var gdb = new Option<int?>("--gdb") { Description = "QEMU's gdb stub on this port of 127.0.0.1; the CPU waits for gdb's continue" };
var noExit = new Option<bool>("--no-exit-device") { Description = "No isa-debug-exit device (for guests other than CosmosNet)" };
var pidFile = new Option<string?>("--pid-file") { Description = "QEMU writes its pid here" };
var timeout = new Option<double>("--timeout") { Description = "Kill QEMU after this many seconds", DefaultValueFactory = _ => 24 * 3600 };
var timestamps = new Option<bool>("--timestamps") { Description = "Prefix each serial line with the seconds since QEMU started (host clock)" };
var print = new Option<bool>("--print") { Description = "Print the QEMU command line instead of running it" };
var qemu = new Command("qemu", "Boot in QEMU; serial on this terminal unless --serial says otherwise")
{
    kernel, initrd, append, cdrom, uefi, memory, machine, nic, forward, tap, netns, serial, console, allowReboot, gdb, noExit, pidFile, timeout,
    timestamps, print,
};
qemu.SetAction(parse =>
{
    string? Path(Option<string?> o) => parse.GetValue(o) is { } p ? Repository.PathOf(p) : null;
    string[] forwards = parse.GetValue(forward) ?? [];
    string? tapDevice = parse.GetValue(tap);
    if (tapDevice is not null && forwards.Length > 0) throw new ArgumentException("--forward is for user networking, not --tap");
    Network? network = tapDevice is not null ? new TapNetwork(tapDevice, parse.GetValue(netns))
        : parse.GetValue(nic) is not null || forwards.Length > 0 ? new UserNetwork(forwards.Select(Forward.Parse).ToArray())
        : null;
    var options = new QemuOptions
    {
        Kernel = Path(kernel), Initrd = Path(initrd), Append = parse.GetValue(append), Cdrom = Path(cdrom), Uefi = parse.GetValue(uefi),
        MemoryMiB = parse.GetValue(memory), Machine = parse.GetValue(machine)!, Network = network,
        Nic = parse.GetValue(nic) is { } n ? Nics.Parse(n) : Nics.Default, Serial = parse.GetValue(serial)!,
        Console = parse.GetValue(console), NoReboot = !parse.GetValue(allowReboot), GdbPort = parse.GetValue(gdb),
        ExitDevice = !parse.GetValue(noExit), PidFile = Path(pidFile),
    };
    var command = Qemu.CommandLine(options);
    if (parse.GetValue(print)) { Console.WriteLine(string.Join(' ', command.Select(Quote))); return 0; }
    var limit = TimeSpan.FromSeconds(parse.GetValue(timeout));
    if (!parse.GetValue(timestamps)) return Processes.Foreground(command, limit) ?? 124;
    using var guest = new Guest(command, limit + TimeSpan.FromMinutes(1), line =>
        Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"{line.At.TotalSeconds:F3} {line.Text}\n")));
    var run = guest.WaitForExit(limit);
    Console.Out.Flush();
    return run.TimedOut ? 124 : run.ExitCode;
});

var isoArgument = new Option<string>("--iso") { Description = "GRUB ISO to boot (Boot/bochsrc.txt)", Required = true };
var bochsTimeout = new Option<double>("--timeout") { Description = "Kill Bochs after this many seconds", DefaultValueFactory = _ => 300 };
var bochsForward = new Option<string[]>("--forward") { Description = "[ADDRESS:]HOSTPORT:GUESTPORT forwarded into the guest: gives it an e1000 on Bochs's slirp network", Arity = ArgumentArity.ZeroOrMore };
var bochs = new Command("bochs", "Boot an ISO in Bochs, COM1 on this terminal (and in bochs-serial.txt beside the ISO); " +
    "exits 0 after 'Main returned 0', 3 on a panic, 1 otherwise") { isoArgument, bochsTimeout, bochsForward };
bochs.SetAction(parse =>
{
    var limit = TimeSpan.FromSeconds(parse.GetValue(bochsTimeout));
    string[] forwards = parse.GetValue(bochsForward) ?? [];
    var network = forwards.Length > 0 ? new UserNetwork(forwards.Select(Forward.Parse).ToArray()) : null;
    using var guest = Bochs.Start(parse.GetValue(isoArgument)!, limit + TimeSpan.FromMinutes(1), line => Console.Out.Write(line.Text + "\n"), network: network);
    var run = guest.WaitForExit(limit);
    Console.Out.Flush();
    return Bochs.Status(run);
});

return new RootCommand("Build and boot CosmosNet images with the one harness (tools/Harness)") { build, qemu, bochs, ProfileCommand.Create(), BootTimeCommand.Create() }.Parse(args).Invoke();

static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
