namespace CosmosNet.Harness.Testing;

/// <summary>A test kernel (tests/kernels/&lt;name&gt;) built once per test run and booted once per machine (QEMU,
/// Bochs); the boots are shared by all tests of a class through this fixture. The kernel's tests are registered
/// one way: a <c>KernelTest[] Tests</c> list in its sources, compiled into the host test project too, whose names
/// become xunit theory data.</summary>
public abstract class KernelFixture
{
    readonly Lazy<string> _elf;
    readonly Lazy<KernelSuiteResult> _qemu;
    readonly Lazy<string> _iso;
    readonly Lazy<KernelSuiteResult> _bochs;

    public static readonly TimeSpan DefaultQemuTimeout = TimeSpan.FromSeconds(300);   // TCG on a loaded 2-core host
    public static readonly TimeSpan DefaultBochsTimeout = TimeSpan.FromSeconds(300);

    protected KernelFixture(string kernel, int memoryMiB = 256, TimeSpan? qemuTimeout = null, TimeSpan? bochsTimeout = null)
    {
        Kernel = kernel;
        MemoryMiB = memoryMiB;
        QemuTimeout = qemuTimeout ?? DefaultQemuTimeout;
        BochsTimeout = bochsTimeout ?? DefaultBochsTimeout;
        _elf = new(() => Image.Build(Path.Combine("tests", "kernels", kernel), Image.TestDirectory(kernel)));
        _qemu = new(() => new KernelSuiteResult(Boot("", memoryMiB)));
        _iso = new(() => Image.BuildIso(Elf));
        _bochs = new(() => new KernelSuiteResult(Harness.Bochs.Run(Iso, BochsTimeout)));
    }

    public string Kernel { get; }
    public int MemoryMiB { get; }
    public TimeSpan QemuTimeout { get; }
    public TimeSpan BochsTimeout { get; }
    public string Elf => _elf.Value;
    /// <summary>The suite's QEMU boot (no command line, <see cref="MemoryMiB"/> of RAM).</summary>
    public KernelSuiteResult Qemu => _qemu.Value;
    public KernelSuiteResult Bochs => _bochs.Value;
    /// <summary>The GRUB ISO of the same kernel (BIOS and UEFI).</summary>
    public string Iso => _iso.Value;

    /// <summary>An extra QEMU boot of the same image with a kernel command line.</summary>
    public GuestRun Boot(string commandLine, int memoryMiB = 256) =>
        Harness.Qemu.Run(new QemuOptions { Kernel = Elf, Append = commandLine, MemoryMiB = memoryMiB }, QemuTimeout);

    /// <summary>A QEMU boot of the GRUB ISO from the CD-ROM: SeaBIOS, or UEFI (OVMF).</summary>
    public GuestRun BootIso(bool uefi, TimeSpan timeout) =>
        Harness.Qemu.Run(new QemuOptions { Cdrom = Iso, Uefi = uefi }, timeout);
}
