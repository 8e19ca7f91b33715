using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CosmosNet.Harness.Profiling;

/// <summary>The kernel's counters at one moment (Kernel/Diagnostics/Profiler.cs refreshes them at every sample).</summary>
public sealed record ProfileCounters(ulong Tsc, ulong MmioReads, ulong MmioWrites, ulong PortReads, ulong PortWrites,
    ulong ContextSwitches, ulong GcPauses, ulong GcCycles, ulong GcPauseTicks, ulong IdleNanoseconds, ulong[] Vectors)
{
    /// <summary>What happened between <paramref name="earlier"/> and this.</summary>
    public ProfileCounters Since(ProfileCounters earlier) => new(Tsc - earlier.Tsc, MmioReads - earlier.MmioReads,
        MmioWrites - earlier.MmioWrites, PortReads - earlier.PortReads, PortWrites - earlier.PortWrites,
        ContextSwitches - earlier.ContextSwitches, GcPauses - earlier.GcPauses, GcCycles - earlier.GcCycles,
        GcPauseTicks - earlier.GcPauseTicks, IdleNanoseconds - earlier.IdleNanoseconds,
        Vectors.Zip(earlier.Vectors, (a, b) => a - b).ToArray());
}

/// <summary>The profiler's header: where the sample log is, how full, and the counters.</summary>
public sealed record ProfileHeader(ulong Hz, ulong TscPerSecond, ulong LogStart, ulong LogCapacity, ulong LogUsed,
    ulong Samples, ulong Dropped, ProfileCounters Counters)
{
    public const ulong Magic = 0x3130464F52504E43;   // "CNPROF01"
    public const int Bytes = 4096;

    /// <summary>Where the profiler started: an empty log and zero counters (a window "since boot").</summary>
    public static ProfileHeader AtBoot { get; } = new(0, 0, 0, 0, 0, 0, 0, new ProfileCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new ulong[256]));

    /// <summary>The header words as Kernel/Diagnostics/Profiler.cs lays them out.</summary>
    public static ProfileHeader Parse(byte[] bytes)
    {
        if (bytes.Length < Bytes) throw new InvalidDataException("profile header: short read");
        ulong W(int word) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(word * 8));
        if (W(0) != Magic) throw new InvalidDataException($"profile header: bad magic 0x{W(0):x}");
        var vectors = new ulong[256];
        for (int v = 0; v < 256; v++) vectors[v] = W(32 + v);
        return new(W(1), W(2), W(3), W(4), W(5), W(6), W(7),
            new ProfileCounters(W(8), W(9), W(10), W(11), W(12), W(13), W(14), W(15), W(16), W(17), vectors));
    }
}

/// <summary>One sample: the thread and the addresses from the leaf outwards (the interrupted rip first, then
/// return addresses; after the profiler crossed a trap's frame, the rip that trap interrupted).</summary>
public sealed record RawSample(ulong ThreadId, ulong[] Frames);

/// <summary>Reads a running guest's profile through the QEMU monitor: the guest must have been booted with
/// <c>profile=HZ</c> and a <see cref="QemuOptions.MonitorSocket"/>.</summary>
public sealed class ProfileReader : IDisposable
{
    static readonly Regex Announcement = new(@"profile: (\d+) Hz, header at 0x([0-9a-f]+)", RegexOptions.CultureInvariant);
    readonly QemuMonitor _monitor;
    readonly string _scratch;

    public ulong HeaderAddress { get; }
    public int Hz { get; }

    /// <summary>Waits for the kernel's "profile: ..." line and connects to the monitor.</summary>
    public ProfileReader(Guest guest, string monitorSocket, TimeSpan timeout)
    {
        var line = guest.WaitForLine(l => Announcement.IsMatch(l), timeout, "the profiler's 'profile: N Hz, header at' line");
        var m = Announcement.Match(line.Text);
        Hz = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        HeaderAddress = ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        _monitor = QemuMonitor.Connect(monitorSocket, timeout);
        _scratch = Path.Combine(Path.GetDirectoryName(monitorSocket)!, "pmem.bin");
    }

    /// <summary>The header now (the guest is paused while it is copied).</summary>
    public ProfileHeader ReadHeader()
    {
        _monitor.Run("stop");
        try { return ProfileHeader.Parse(_monitor.ReadPhysical(HeaderAddress, ProfileHeader.Bytes, _scratch)); }
        finally { _monitor.Run("cont"); }
    }

    /// <summary>Pauses the guest for good and returns the header and the samples logged after <paramref name="since"/>.</summary>
    public (ProfileHeader Header, IReadOnlyList<RawSample> Samples) Finish(ProfileHeader since)
    {
        _monitor.Run("stop");
        var header = ProfileHeader.Parse(_monitor.ReadPhysical(HeaderAddress, ProfileHeader.Bytes, _scratch));
        ulong from = since.LogUsed, length = header.LogUsed - from;
        byte[] log = length == 0 ? [] : _monitor.ReadPhysical(header.LogStart + from, length, _scratch);
        return (header, ParseLog(log));
    }

    /// <summary>Records: (thread id &lt;&lt; 16 | frame count), then the frames.</summary>
    public static IReadOnlyList<RawSample> ParseLog(ReadOnlySpan<byte> log)
    {
        var samples = new List<RawSample>();
        int at = 0;
        while (at + 8 <= log.Length)
        {
            ulong head = BinaryPrimitives.ReadUInt64LittleEndian(log[at..]);
            int count = (int)(head & 0xFFFF);
            if (count == 0 || at + 8 + count * 8 > log.Length) throw new InvalidDataException($"profile log: bad record at byte {at}");
            var frames = new ulong[count];
            for (int i = 0; i < count; i++) frames[i] = BinaryPrimitives.ReadUInt64LittleEndian(log[(at + 8 + i * 8)..]);
            samples.Add(new RawSample(head >> 16, frames));
            at += 8 + count * 8;
        }
        return samples;
    }

    public void Dispose() => _monitor.Dispose();
}
