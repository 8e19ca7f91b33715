using System.Globalization;
using CosmosNet.Corpus;
using CosmosNet.Harness;
using CosmosNet.Harness.Testing;
using Xunit;

namespace CosmosNet.Kernel.Tests;

/// <summary>The corpus kernel (tests/kernels/Corpus) booted once in QEMU and once in Bochs, and the same
/// programs run here on the host's .NET: each program's output, split out of the serial log by its
/// CORPUS-BEGIN/CORPUS-END lines.</summary>
public sealed class CorpusKernel() : KernelFixture("Corpus", qemuTimeout: TimeSpan.FromMinutes(6), bochsTimeout: TimeSpan.FromMinutes(20))
{
    readonly Lazy<Dictionary<string, List<string>>> _host = new(RunOnHost);

    public new GuestRun Qemu => base.Qemu.Run;
    public new GuestRun Bochs => base.Bochs.Run;
    public Dictionary<string, List<string>> Host => _host.Value;

    /// <summary>Program name -> its output lines, from a serial log or the host's console.</summary>
    public static Dictionary<string, List<string>> Split(string output)
    {
        var programs = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var raw in output.Replace("\r", "").Split('\n'))
        {
            if (raw.StartsWith("CORPUS-BEGIN ", StringComparison.Ordinal)) programs[raw[13..]] = current = [];
            else if (raw.StartsWith("CORPUS-END ", StringComparison.Ordinal)) current = null;
            else current?.Add(raw);
        }
        return programs;
    }

    static Dictionary<string, List<string>> RunOnHost()
    {
        // The kernel runs with invariant culture; so does the reference. Its current directory is the
        // app's files/ folder (/app); the host's is a copy of it.
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string savedDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(Path.Combine(AppContext.BaseDirectory, "corpus-files"));
        var saved = Console.Out;
        var output = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(output));
        try { CorpusRunner.Run(Console.Out, CorpusPrograms.All); }
        finally { Console.SetOut(saved); Directory.SetCurrentDirectory(savedDirectory); }
        return Split(output.ToString());
    }
}

public sealed class CorpusSuiteTests(CorpusKernel corpus) : IClassFixture<CorpusKernel>
{
    public static TheoryData<string> Programs => new(CorpusPrograms.All.Select(p => p.Name));

    [Theory, MemberData(nameof(Programs))]
    public void Qemu(string program) => AssertSameOutput(program, corpus.Qemu);

    [Fact]
    public void Qemu_RunsEveryProgramAndShutsDownCleanly()
    {
        var run = corpus.Qemu;
        Assert.False(run.TimedOut, "timed out:\n" + run.Tail());
        Assert.Contains("CORPUS-DONE", run.Output);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Bochs_EveryProgramMatchesTheHost()
    {
        var run = corpus.Bochs;
        var mismatches = CorpusPrograms.All.Select(p => Difference(p.Name, run)).Where(d => d is not null).ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n\n", mismatches));
    }

    void AssertSameOutput(string program, GuestRun run)
    {
        string? difference = Difference(program, run);
        Assert.True(difference is null, difference);
    }

    /// <summary>Null when the guest printed exactly the host's lines for the program, else the first difference.</summary>
    string? Difference(string program, GuestRun run)
    {
        var expected = corpus.Host[program];
        if (!CorpusKernel.Split(run.Output).TryGetValue(program, out var actual))
            return $"{program}: no output from the guest (exit {run.ExitCode}, timed out: {run.TimedOut}):\n{run.Tail()}";
        for (int i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            string e = i < expected.Count ? expected[i] : "<end>", a = i < actual.Count ? actual[i] : "<end>";
            if (e != a) return $"{program}, line {i + 1}:\n  host:  {e}\n  guest: {a}\nguest output:\n{string.Join('\n', actual)}";
        }
        return null;
    }

    /// <summary>NAME=VALUE words of the kernel command line are the environment; the rest stay args.</summary>
    [Fact]
    public void Qemu_EnvironmentComesFromTheCommandLine()
    {
        var run = corpus.Boot("--env GREETING PATH_LIST MISSING GREETING=hello PATH_LIST=/a:/b ip=10.0.2.15/24");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("ENV GREETING=hello", run.Lines);
        Assert.Contains("ENV PATH_LIST=/a:/b", run.Lines);
        Assert.Contains("ENV MISSING=<unset>", run.Lines);
        Assert.Contains("ARGS --env|GREETING|PATH_LIST|MISSING|ip=10.0.2.15/24", run.Lines);
        Assert.Contains("ENVIRONMENT DOTNET_USE_POLLING_FILE_WATCHER|GREETING|PATH_LIST", run.Lines);   // + the kernel's one default
    }

    /// <summary>A Multiboot module (qemu -initrd, as `make run CONFIG=path` passes it) is /config/appsettings.json.</summary>
    [Fact]
    public void Qemu_MultibootModuleIsConfigAppsettings()
    {
        string config = Path.Combine(Path.GetTempPath(), $"corpus-config-{Environment.ProcessId}.json");
        File.WriteAllText(config, """{"Greeting":"from the host","Port":8081}""");
        try
        {
            var result = CosmosNet.Harness.Qemu.Run(new QemuOptions { Kernel = corpus.Elf, Initrd = $"{config} appsettings.json", Append = "--config" },
                TimeSpan.FromMinutes(3));
            var lines = result.Output.Split('\n');
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Contains("CONFIG /config/appsettings.json", lines);
            Assert.Contains("CONFIG Greeting=from the host", lines);
            Assert.Contains("CONFIG Port=8081", lines);
        }
        finally { File.Delete(config); }
    }

    /// <summary>What the kernel answers in its own way: identity, read-only files, no inotify, no SHA-3, no ciphers,
    /// public keys or certificates (a managed exception naming what is missing), standard input at its end.</summary>
    [Fact]
    public void Qemu_PlatformAnswers()
    {
        var run = corpus.Boot("--platform");
        Assert.True(run.ExitCode == 0, run.Output);
        string[] expected =
        [
            "MACHINE cosmosnet", "USER root", "OS Unix 1.0.0.0", "PID 1", "CPUS 1", "VERSION 10.0.12", "CWD /app", "TEMP /tmp/", "HOME /root",
            "READONLY IOException: Read-only file system : '/app/greeting.txt'",
            "READONLY IOException: Read-only file system : '/config/new.json'",
            "WATCHER IOException", "SHA3 False", "SHA3 PlatformNotSupportedException",
            "AES CryptographicException: CosmosNet provides no ciphers (AES, DES, 3DES, RC2, ChaCha20): only hashing, HMAC and random numbers",
            "AESGCM False", "AESGCM PlatformNotSupportedException", "RSA PlatformNotSupportedException", "ECDSA PlatformNotSupportedException",
            "X509 CryptographicException: CosmosNet provides no X.509 certificates, PKCS#7 or ASN.1 objects: only hashing, HMAC and random numbers",
            "STDIN <end> <end> 0",
        ];
        foreach (var line in expected) Assert.True(run.Lines.Contains(line), $"missing \"{line}\" in:\n{run.Tail(40)}");
    }

    /// <summary>The Hashing program's digests are the published ones (FIPS 180-4 examples, RFC 1321, RFC 2202,
    /// RFC 4231), not merely the host's.</summary>
    [Fact]
    public void Qemu_HashesAreThePublishedTestVectors()
    {
        string[] vectors =
        [
            "900150983cd24fb0d6963f7d28e17f72",                                          // MD5("abc")
            "a9993e364706816aba3e25717850c26c9cd0d89d",                                  // SHA-1("abc")
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",          // SHA-256("abc")
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",          // SHA-256, two blocks
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",                                  // SHA-1("")
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",          // SHA-256, a million 'a'
            "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",          // RFC 4231 case 1
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            "b617318655057264e28bc0b6fb378c8ef146be00",                                  // RFC 2202 HMAC-SHA-1 case 1
            "9294727a3638bb1c13f48ef8158bfc9d",                                          // RFC 2202 HMAC-MD5 case 1
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",          // RFC 4231 case 2
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",                                  // RFC 2202 HMAC-SHA-1 case 2 (incremental)
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",          // RFC 4231 case 6 (long key)
        ];
        Assert.True(CorpusKernel.Split(corpus.Qemu.Output).TryGetValue("Hashing", out var lines), corpus.Qemu.Tail());
        Assert.Equal(vectors, lines.Take(vectors.Length));
    }
}
