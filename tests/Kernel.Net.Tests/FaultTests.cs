using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// Issue 11's fault case "a driver handed corrupt lengths in its ring counts and drops": the guest boots with the
/// test-only hook <c>nic.fault=corrupt-rx-length:N</c> (every Nth received descriptor reports length 0 or 0xFFFF).
/// The driver must drop those frames as malformed, count them (the host prints the counters on serial when drops
/// rise), and keep serving: TCP retransmits what was lost, so GET / and a 4 MiB POST / (echoed) still come back intact.
/// </summary>
[Collection("guests")]
public sealed partial class FaultTests(ITestOutputHelper log)
{
    const int CorruptEvery = 50;
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(120), ReportTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(Nic.E1000)]
    [InlineData(Nic.Virtio)]
    [InlineData(Nic.E1000e)]
    public async Task Corrupt_receive_lengths_are_counted_and_dropped_and_the_guest_keeps_serving(Nic nic)
    {
        using var guest = new ServerGuest(nic, append: $"nic.fault=corrupt-rx-length:{CorruptEvery}");
        Assert.Contains($"every {CorruptEvery}th received descriptor gets a corrupt length", guest.Serial);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = IoTimeout };

        using (var page = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<h1>Hello from CosmosNet</h1>", await page.Content.ReadAsStringAsync());
        }

        var payload = RandomNumberGenerator.GetBytes(4 << 20);   // with the ACKs of the reply ~5800 descriptors: ~116 corrupted
        using (var echo = await client.PostAsync("/", new ByteArrayContent(payload)))   // POST / echoes the body
        {
            Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
            var body = await echo.Content.ReadAsByteArrayAsync();
            Assert.Equal(payload.Length, body.Length);
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(body));
        }

        // The host prints the counters within about a second of a drop (the loop wakes at least once a second).
        // Wait for a line that covers the whole POST, then check the driver's arithmetic on it: every descriptor
        // it took is either a frame delivered or a drop, and every Nth of them was corrupted and counted malformed.
        var deadline = DateTime.UtcNow + ReportTimeout;
        Counters? last;
        while ((last = Last(guest.Serial)) is not { FramesIn: >= PostFrames } && DateTime.UtcNow < deadline) await Task.Delay(200);
        log.WriteLine(string.Join('\n', guest.Serial.Split('\n').Where(l => l.Contains("counters:")).TakeLast(3)));
        Assert.NotNull(last);
        Assert.True(last.FramesIn >= PostFrames, $"no counters line covers the POST: {last}");
        ulong descriptors = last.FramesIn + last.Malformed + last.Oversized;
        Assert.Equal(descriptors / CorruptEvery, last.Malformed);
        Assert.True(guest.Running, "the guest exited");
        using (var again = await client.GetAsync("/"))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    /// <summary>Received frames the 4 MiB POST alone takes (at most 1460 bytes of payload each).</summary>
    const ulong PostFrames = (4 << 20) / 1460;

    sealed record Counters(ulong FramesIn, ulong Malformed, ulong Oversized);

    /// <summary>The last counters line the host printed, or null before the first drop.</summary>
    static Counters? Last(string serial) =>
        CountersLine().Matches(serial).Select(m => new Counters(ulong.Parse(m.Groups[1].Value), ulong.Parse(m.Groups[2].Value),
            ulong.Parse(m.Groups[3].Value))).LastOrDefault();

    [GeneratedRegex(@"counters: in (\d+) frames/.*dropped rx malformed (\d+) oversized (\d+)")]
    private static partial Regex CountersLine();
}
