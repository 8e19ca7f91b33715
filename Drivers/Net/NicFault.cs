namespace CosmosNet.Drivers.Net;

/// <summary>
/// Test-only fault injection, off unless the kernel command line says <c>nic.fault=corrupt-rx-length:N</c>: then
/// every Nth received descriptor reports a length no device could have written (alternately 0 and 0xFFFF), so a
/// test can prove that the receive path counts such frames as malformed and drops them, and that TCP recovers.
/// The drivers call <see cref="RxLength"/> on the length they read from their ring.
/// </summary>
static class NicFault
{
    static readonly int s_corruptEvery = Read();
    static int s_seen, s_corrupted;

    /// <summary><paramref name="length"/>, or a corrupt one when the fault is on and this descriptor is the Nth.</summary>
    public static int RxLength(int length)
    {
        if (s_corruptEvery == 0 || ++s_seen % s_corruptEvery != 0) return length;
        return (++s_corrupted & 1) != 0 ? 0xFFFF : 0;
    }

    static int Read()
    {
        const string Option = "nic.fault=corrupt-rx-length:";
        foreach (var a in Environment.GetCommandLineArgs())
            if (a.StartsWith(Option, StringComparison.Ordinal) && int.TryParse(a.AsSpan(Option.Length), out int n) && n > 0)
            {
                Console.WriteLine($"net: test fault on: every {n}th received descriptor gets a corrupt length");
                return n;
            }
        return 0;
    }
}
