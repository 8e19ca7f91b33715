using System.Runtime.InteropServices;
using System.Text;
using CosmosNet.Net.Dns;
using CosmosNet.Net.Platform;

namespace CosmosNet.Host.Sockets;

/// <summary>
/// Name resolution as libSystem.Native offers it to System.Net.NameResolution (getaddrinfo's part): Dns.GetHostAddresses,
/// GetHostEntry and everything that connects by name. "localhost" (and names under it) is 127.0.0.1 and the machine's own name
/// ("cosmosnet", what gethostname says) its interface address, as /etc/hosts would say; every other name goes to
/// the stack's DNS resolver (the servers DHCP or the command line gave). IPv4 only: asking for IPv6 alone finds nothing.
/// Results are getaddrinfo's error numbers as .NET's PAL numbers them (GetAddrInfoErrorFlags).
/// </summary>
static unsafe class NameCalls
{
    const int Success = 0, TryAgain = 1, Fail = 3, Family = 4, NoName = 5, BadArgument = 6, Memory = 8;
    const int Unspecified = 0, InterNetwork = 2, InterNetworkV6 = 23;
    const string MachineName = "cosmosnet";   // Kernel/Runtime/SystemNative/Process.cs: gethostname

    struct IPAddressEntry
    {
        public fixed byte Address[16];
        public uint IsIPv6;
        public uint ScopeId;
    }

    struct HostEntry
    {
        public byte* CanonicalName;
        public byte** Aliases;
        public IPAddressEntry* IPAddressList;
        public int IPAddressCount;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetHostEntryForName")]
    static int GetHostEntryForName(byte* address, int addressFamily, HostEntry* entry)
    {
        if (address == null || entry == null) return BadArgument;
        *entry = default;
        if (addressFamily is not (Unspecified or InterNetwork or InterNetworkV6)) return Family;
        string name = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(address)).TrimEnd('.');
        if (addressFamily == InterNetworkV6) return NoName;   // no IPv6 addresses anywhere yet

        IReadOnlyList<Ipv4Address> addresses;
        if (DnsResolver.IsLocalhost(name)) addresses = [Ipv4Address.Loopback];   // never a DNS query (RFC 6761 6.3)
        else
        {
            if (SocketNetwork.Current is not { } network) return Fail;
            if (name.Equals(MachineName, StringComparison.OrdinalIgnoreCase)) addresses = [network.Stack.Ip.LocalAddress];
            else
            {
                var result = NameResolution.Resolve(network, name);
                if (!result.IsOk)
                {
                    return result.Error switch
                    {
                        DnsError.NameNotFound or DnsError.NoAddresses => NoName,
                        DnsError.InvalidName => NoName,
                        DnsError.TimedOut or DnsError.NetworkError or DnsError.NoServers => TryAgain,
                        _ => Fail,
                    };
                }
                addresses = result.Value;
            }
        }
        if (addresses.Count == 0) return NoName;

        byte[] canonical = Encoding.UTF8.GetBytes(name);
        entry->CanonicalName = (byte*)NativeMemory.Alloc((nuint)canonical.Length + 1);
        entry->Aliases = (byte**)NativeMemory.AllocZeroed((nuint)sizeof(byte*));   // none: the list is just its terminator
        entry->IPAddressList = (IPAddressEntry*)NativeMemory.AllocZeroed((nuint)addresses.Count, (nuint)sizeof(IPAddressEntry));
        if (entry->CanonicalName == null || entry->Aliases == null || entry->IPAddressList == null)
        {
            Free(entry);
            return Memory;
        }
        canonical.CopyTo(new Span<byte>(entry->CanonicalName, canonical.Length));
        entry->CanonicalName[canonical.Length] = 0;
        for (int i = 0; i < addresses.Count; i++) addresses[i].Write(new Span<byte>(entry->IPAddressList[i].Address, 4));
        entry->IPAddressCount = addresses.Count;
        return Success;
    }

    /// <summary>getnameinfo for an address: "localhost" and the machine's name for its own addresses; no reverse DNS
    /// yet, so other addresses are their numeric form, or EAI_NONAME when a name is required (NI_NAMEREQD), as
    /// getnameinfo says without a PTR record. The BCL passes a bare address (no port): a service asked for is empty.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetNameInfo")]
    static int GetNameInfo(byte* address, int addressLength, sbyte isIPv6, byte* host, int hostLength, byte* service, int serviceLength, int flags)
    {
        const int NameRequired = 0x1, NumericHost = 0x2;
        if (address == null || (host == null && service == null)) return BadArgument;
        if (isIPv6 != 0) return (flags & NameRequired) != 0 ? NoName : Family;
        if (addressLength < 4) return BadArgument;
        var ip = Ipv4Address.Read(new ReadOnlySpan<byte>(address, 4));
        if (host != null)
        {
            string? name = (flags & NumericHost) != 0 ? null
                : ip.IsLoopback ? "localhost"
                : SocketNetwork.Current is { } network && network.Stack.Ip.LocalAddress == ip ? MachineName
                : null;
            if (name is null && (flags & NameRequired) != 0) return NoName;
            if (!Copy(name ?? ip.ToString(), host, hostLength)) return Overflow;
        }
        if (service != null && !Copy("", service, serviceLength)) return Overflow;
        return Success;
    }

    const int Overflow = 9;   // EAI_SYSTEM: the buffer is too small (glibc says EAI_OVERFLOW, which .NET does not name)

    static bool Copy(string text, byte* destination, int length)
    {
        int n = Encoding.UTF8.GetByteCount(text);
        if (n + 1 > length) return false;
        Encoding.UTF8.GetBytes(text, new Span<byte>(destination, n));
        destination[n] = 0;
        return true;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FreeHostEntry")]
    static void FreeHostEntry(HostEntry* entry)
    {
        if (entry != null) Free(entry);
    }

    static void Free(HostEntry* entry)
    {
        NativeMemory.Free(entry->CanonicalName);
        NativeMemory.Free(entry->Aliases);
        NativeMemory.Free(entry->IPAddressList);
        *entry = default;
    }
}

/// <summary>The resolver call apart: an await may not stand in an unsafe context.</summary>
static class NameResolution
{
    /// <summary>Asks the stack's resolver on the loop and waits; the resolver's own retries bound the wait.</summary>
    public static Net.Result<IReadOnlyList<Ipv4Address>, DnsError> Resolve(SocketNetwork network, string name)
    {
        if (network.OnLoop) return Net.Result<IReadOnlyList<Ipv4Address>, DnsError>.Fail(DnsError.NetworkError);   // would wait on itself
        Net.Result<IReadOnlyList<Ipv4Address>, DnsError> result = default;
        using var done = new ManualResetEventSlim();
        network.Post(async () =>
        {
            try { result = await network.Stack.Dns.ResolveAsync(name); }
            catch (Exception) { result = Net.Result<IReadOnlyList<Ipv4Address>, DnsError>.Fail(DnsError.NetworkError); }
            done.Set();
        });
        done.Wait();
        return result;
    }
}
