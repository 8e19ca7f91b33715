using System.Collections.Concurrent;

namespace CosmosNet.Harness;

/// <summary>Kernel images: an app directory published into an image directory (incremental dotnet publish,
/// once per process for each pair), and the GRUB ISO of an ELF.</summary>
public static class Image
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    static readonly ConcurrentDictionary<(string App, string Dir), Lazy<string>> s_built = new();

    /// <summary>Where a test image goes by default: iso/tests/&lt;name&gt;/ (git-ignored).</summary>
    public static string TestDirectory(string name) => Path.Combine(Repository.Root, "iso", "tests", name);

    /// <summary>Publishes <paramref name="appDirectory"/> (relative to the root, e.g. Apps/HttpServer or
    /// tests/kernels/Gc) into <paramref name="imageDirectory"/> and returns the ELF's path.</summary>
    public static string Build(string appDirectory, string imageDirectory, TimeSpan? timeout = null)
    {
        string app = Repository.PathOf(appDirectory), dir = Repository.PathOf(imageDirectory);
        return s_built.GetOrAdd((app, dir), _ => new(() => Publish(app, dir, timeout ?? BuildTimeout))).Value;
    }

    static string Publish(string app, string dir, TimeSpan timeout)
    {
        Directory.CreateDirectory(dir);
        var result = Processes.Run("dotnet", ["publish", app, "-c", "Release", "--nologo", "-v", "quiet",
            $"-p:CosmosNetRoot={Repository.Root}/", $"-p:CosmosImageDir={dir}/"], timeout);
        string elf = Path.Combine(dir, "cosmosnet.elf");
        if (result.ExitCode != 0 || !File.Exists(elf))
            throw new InvalidOperationException($"building {app} failed (exit {result.ExitCode}):\n{result.Output}");
        return elf;
    }

    /// <summary>Makes the GRUB ISO (BIOS and UEFI) beside an ELF with Boot/make-iso.sh.</summary>
    public static string BuildIso(string elf, TimeSpan? timeout = null)
    {
        string iso = Path.ChangeExtension(elf, ".iso");
        var result = Processes.Run(Path.Combine(Repository.Root, "Boot", "make-iso.sh"), [elf, iso], timeout ?? TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0) throw new InvalidOperationException($"make-iso.sh failed:\n{result.Output}");
        return iso;
    }
}
