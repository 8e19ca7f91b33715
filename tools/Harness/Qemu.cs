namespace CosmosNet.Harness;

/// <summary>A host port forwarded to a guest TCP (or, with <paramref name="Udp"/>, UDP) port (QEMU user-mode network).</summary>
public readonly record struct Forward(int HostPort, int GuestPort, string HostAddress = "127.0.0.1", bool Udp = false)
{
    /// <summary>"[udp:]HOSTPORT:GUESTPORT" or "[udp:]ADDRESS:HOSTPORT:GUESTPORT".</summary>
    public static Forward Parse(string text)
    {
        bool udp = text.StartsWith("udp:", StringComparison.Ordinal);
        string[] parts = (udp ? text[4..] : text).Split(':');
        return parts.Length switch
        {
            2 => new(int.Parse(parts[0]), int.Parse(parts[1]), Udp: udp),
            3 => new(int.Parse(parts[1]), int.Parse(parts[2]), parts[0], udp),
            _ => throw new FormatException($"forward '{text}': expected [udp:][ADDRESS:]HOSTPORT:GUESTPORT"),
        };
    }
}

/// <summary>How the guest's NIC reaches the host.</summary>
public abstract record Network;

/// <summary>QEMU's user-mode network (the guest gets 10.0.2.15 by DHCP) with host ports forwarded into it.</summary>
public sealed record UserNetwork(params Forward[] Forwards) : Network;

/// <summary>An existing TAP device, optionally inside a network namespace (QEMU then runs in that namespace).</summary>
public sealed record TapNetwork(string Device, string? Namespace = null) : Network;

/// <summary>The guest's frames as UDP datagrams between 127.0.0.1:<paramref name="GuestPort"/> (QEMU's end) and
/// 127.0.0.1:<paramref name="RelayPort"/> (a program that forwards them, e.g. one that impairs them on the way to a TAP
/// device); QEMU runs in <paramref name="Namespace"/> when given.</summary>
public sealed record DatagramNetwork(int GuestPort, int RelayPort, string? Namespace = null) : Network;

/// <summary>Everything that varies between boots. Exactly one of <see cref="Kernel"/> (multiboot ELF or a Linux
/// bzImage, with optional <see cref="Initrd"/> and <see cref="Append"/>), <see cref="Cdrom"/> (an ISO) and
/// <see cref="Disk"/> (a bootable disk image).</summary>
public sealed record QemuOptions
{
    public string? Kernel { get; init; }
    public string? Initrd { get; init; }
    /// <summary>The kernel command line (CosmosNet: Main's arguments and options such as ip=).</summary>
    public string? Append { get; init; }
    public string? Cdrom { get; init; }
    /// <summary>A bootable disk image (raw, qcow2 or VMDK by its extension), never written: QEMU keeps the
    /// guest's writes in a temporary snapshot.</summary>
    public string? Disk { get; init; }
    /// <summary>UEFI firmware (OVMF) instead of SeaBIOS; for <see cref="Cdrom"/> boots.</summary>
    public bool Uefi { get; init; }
    public int MemoryMiB { get; init; } = 256;
    /// <summary>"pc" (i440fx) or "q35".</summary>
    public string Machine { get; init; } = "pc";
    /// <summary>VMware's backdoor I/O port (0x5658), as a VMware VM has it.</summary>
    public bool VmPort { get; init; }
    public string Accel { get; init; } = Qemu.DefaultAccel;
    /// <summary>No NIC when null.</summary>
    public Network? Network { get; init; }
    public Nic Nic { get; init; } = Nics.Default;
    /// <summary>Extra properties of the NIC's QEMU device, e.g. "disable-legacy=on,vectors=0" for virtio.</summary>
    public string? NicProperties { get; init; }
    /// <summary>A Unix socket for the QEMU monitor (e.g. <c>set_link n0 off</c>); none when null.</summary>
    public string? MonitorSocket { get; init; }
    /// <summary>A QEMU -serial value: stdio (captured by the harness), file:PATH, unix:PATH,server=on,wait=off, ...</summary>
    public string Serial { get; init; } = "stdio";
    /// <summary>COM2, the diagnostics console's default port (a -serial value like <see cref="Serial"/>); none when null.</summary>
    public string? Console { get; init; }
    /// <summary>QEMU exits when the guest resets (-no-reboot); false lets a guest reboot (panic=reboot, the console's reboot).</summary>
    public bool NoReboot { get; init; } = true;
    /// <summary>QEMU's gdb stub on this TCP port of 127.0.0.1, the CPU stopped before the first instruction until gdb
    /// continues (make debug); none when null.</summary>
    public int? GdbPort { get; init; }
    /// <summary>isa-debug-exit at 0xf4: the kernel's way to end QEMU with a status (0 ok, 3 panic, 5 Main != 0).</summary>
    public bool ExitDevice { get; init; } = true;
    /// <summary>QEMU writes its pid here (for measuring the guest's host CPU).</summary>
    public string? PidFile { get; init; }
}

/// <summary>The one definition of the QEMU command line.</summary>
public static class Qemu
{
    public const string Executable = "qemu-system-x86_64";
    public const string OvmfFirmware = "/usr/share/OVMF/OVMF_CODE.fd";

    /// <summary>TCG unless COSMOS_ACCEL says otherwise (e.g. kvm where it works).</summary>
    public static string DefaultAccel => Environment.GetEnvironmentVariable("COSMOS_ACCEL") is { Length: > 0 } a ? a : "tcg";

    /// <summary>The command (program first) that boots <paramref name="o"/>.</summary>
    public static IReadOnlyList<string> CommandLine(QemuOptions o)
    {
        if ((o.Kernel is null ? 0 : 1) + (o.Cdrom is null ? 0 : 1) + (o.Disk is null ? 0 : 1) != 1)
            throw new ArgumentException("give exactly one of Kernel, Cdrom and Disk");
        if (o.Machine is not ("pc" or "q35")) throw new ArgumentException($"machine '{o.Machine}': pc or q35");
        var args = new List<string>();
        if (o.Network switch { TapNetwork t => t.Namespace, DatagramNetwork d => d.Namespace, _ => null } is { } ns) args.AddRange(["ip", "netns", "exec", ns]);
        args.AddRange([Executable, "-machine", o.Machine + (o.VmPort ? ",vmport=on" : ""), "-accel", o.Accel, "-m", $"{o.MemoryMiB}M",
            "-display", "none"]);
        if (o.NoReboot) args.Add("-no-reboot");
        args.AddRange(["-monitor", o.MonitorSocket is null ? "none" : $"unix:{o.MonitorSocket},server=on,wait=off", "-serial", o.Serial]);
        if (o.Console is not null) args.AddRange(["-serial", o.Console]);
        if (o.GdbPort is { } gdb) args.AddRange(["-gdb", $"tcp:127.0.0.1:{gdb}", "-S"]);
        if (o.ExitDevice) args.AddRange(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
        if (o.Uefi) args.AddRange(["-bios", OvmfFirmware]);
        if (o.Kernel is not null)
        {
            args.AddRange(["-kernel", o.Kernel]);
            if (o.Initrd is not null) args.AddRange(["-initrd", o.Initrd]);
            if (o.Append is { Length: > 0 }) args.AddRange(["-append", o.Append]);
        }
        else
        {
            if (o.Initrd is not null || o.Append is not null) throw new ArgumentException("Initrd and Append need Kernel");
            if (o.Cdrom is not null) args.AddRange(["-cdrom", o.Cdrom]);
            else args.AddRange(["-drive", $"file={o.Disk},format={DiskFormat(o.Disk!)},snapshot=on"]);
        }
        switch (o.Network)
        {
            case UserNetwork user:
                args.AddRange(["-netdev", "user,id=n0" + string.Concat(user.Forwards.Select(f => $",hostfwd={(f.Udp ? "udp" : "tcp")}:{f.HostAddress}:{f.HostPort}-:{f.GuestPort}"))]);
                break;
            case TapNetwork tap:
                args.AddRange(["-netdev", $"tap,id=n0,ifname={tap.Device},script=no,downscript=no"]);
                break;
            case DatagramNetwork d:
                args.AddRange(["-netdev", $"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port={d.GuestPort},remote.type=inet,remote.host=127.0.0.1,remote.port={d.RelayPort}"]);
                break;
        }
        if (o.Network is not null) args.AddRange(["-device", $"{o.Nic.QemuDevice()},netdev=n0" + (o.NicProperties is { Length: > 0 } p ? "," + p : "")]);
        if (o.PidFile is not null) args.AddRange(["-pidfile", o.PidFile]);
        return args;
    }

    static string DiskFormat(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".vmdk" => "vmdk",
        ".qcow2" => "qcow2",
        _ => "raw",
    };

    /// <summary>Starts a guest; the caller waits for lines or its end and disposes it.</summary>
    public static Guest Start(QemuOptions options, TimeSpan? maxLifetime = null) => new(CommandLine(options), maxLifetime);

    /// <summary>Boots a guest to its end (killed after <paramref name="timeout"/>).</summary>
    public static GuestRun Run(QemuOptions options, TimeSpan timeout)
    {
        using var guest = Start(options, timeout + TimeSpan.FromMinutes(1));
        return guest.WaitForExit(timeout);
    }
}
