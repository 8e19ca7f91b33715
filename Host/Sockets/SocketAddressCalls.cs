using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CosmosNet.Net.Platform;
using static CosmosNet.Host.Sockets.Errno;
using static CosmosNet.Host.Sockets.SocketCalls;

namespace CosmosNet.Host.Sockets;

/// <summary>
/// libSystem.Native's socket-address helpers: the BCL builds and reads Linux's sockaddr layouts through them
/// (sockaddr_in: family, big-endian port, address, 8 zero bytes = 16 bytes; sockaddr_in6: 28 bytes; sockaddr_un: 110
/// bytes, path at 2; sockaddr_storage: 128 bytes). Pure functions of the bytes; IPv6 addresses are laid out like
/// Linux's even though the stack has no IPv6 yet (IPAddress and SocketAddress use them on their own).
/// </summary>
static unsafe class SocketAddressCalls
{
    public const int Ipv4Size = 16, Ipv6Size = 28, UnixSize = 110, UnixPathOffset = 2, UnixPathSize = 108, StorageSize = 128;
    const ushort AfUnspec = 0, AfUnix = 1, AfInet = 2, AfInet6 = 10;                 // Linux
    const int PalUnspec = 0, PalUnix = 1, PalInet = 2, PalInet6 = 23;                // System.Net.Sockets.AddressFamily

    /// <summary>Reads an AF_INET sockaddr; false (with the errno) when it is not one.</summary>
    public static bool TryRead(byte* address, int length, out Endpoint endpoint, out int errno)
    {
        endpoint = default;
        errno = 0;
        if (address == null || length < 2) { errno = EFAULT; return false; }
        ushort family = *(ushort*)address;
        if (family == AfUnspec) { errno = EAFNOSUPPORT; return false; }   // the caller decides (connect: disconnect)
        if (family != AfInet) { errno = EAFNOSUPPORT; return false; }
        if (length < Ipv4Size) { errno = EINVAL; return false; }
        endpoint = new Endpoint(Ipv4Address.Read(new ReadOnlySpan<byte>(address + 4, 4)), BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(address + 2, 2)));
        return true;
    }

    public static bool IsUnspecified(byte* address, int length) => address != null && length >= 2 && *(ushort*)address == AfUnspec;

    /// <summary>Writes <paramref name="endpoint"/> as sockaddr_in, truncated to *length; *length becomes the full size (like getsockname).</summary>
    public static void Write(Endpoint endpoint, byte* address, int* length)
    {
        Span<byte> sa = stackalloc byte[Ipv4Size];
        sa.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(sa, AfInet);
        BinaryPrimitives.WriteUInt16BigEndian(sa[2..], endpoint.Port);
        endpoint.Address.Write(sa[4..]);
        int n = Math.Clamp(*length, 0, Ipv4Size);
        if (address != null) sa[..n].CopyTo(new Span<byte>(address, n));
        *length = Ipv4Size;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetSocketAddressSizes")]
    static int GetSocketAddressSizes(int* ipv4, int* ipv6, int* unix, int* maximum)
    {
        if (ipv4 == null || ipv6 == null || unix == null || maximum == null) return Pal(-EFAULT);
        *ipv4 = Ipv4Size; *ipv6 = Ipv6Size; *unix = UnixSize; *maximum = StorageSize;
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetMaximumAddressSize")]
    static int GetMaximumAddressSize() => StorageSize;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetDomainSocketSizes")]
    static void GetDomainSocketSizes(int* pathOffset, int* pathSize, int* addressSize)
    {
        *pathOffset = UnixPathOffset; *pathSize = UnixPathSize; *addressSize = UnixSize;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetAddressFamily")]
    static int GetAddressFamily(byte* address, int length, int* family)
    {
        if (address == null || family == null || length < 2) return Pal(-EFAULT);
        int? pal = *(ushort*)address switch { AfUnspec => PalUnspec, AfUnix => PalUnix, AfInet => PalInet, AfInet6 => PalInet6, _ => null };
        if (pal is null) return Pal(-EAFNOSUPPORT);
        *family = pal.Value;
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetAddressFamily")]
    static int SetAddressFamily(byte* address, int length, int family)
    {
        if (address == null || length < 2) return Pal(-EFAULT);
        ushort? linux = family switch { PalUnspec => AfUnspec, PalUnix => AfUnix, PalInet => AfInet, PalInet6 => AfInet6, _ => null };
        if (linux is null) return Pal(-EAFNOSUPPORT);
        *(ushort*)address = linux.Value;
        return 0;
    }

    static bool IsInet(byte* address, int length, int size, ushort family) => address != null && length >= size && *(ushort*)address == family;
    static bool IsInetAny(byte* address, int length) => IsInet(address, length, Ipv4Size, AfInet) || IsInet(address, length, Ipv6Size, AfInet6);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetPort")]
    static int GetPort(byte* address, int length, ushort* port)
    {
        if (port == null || !IsInetAny(address, length)) return Pal(-EFAULT);
        *port = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(address + 2, 2));
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetPort")]
    static int SetPort(byte* address, int length, ushort port)
    {
        if (!IsInetAny(address, length)) return Pal(-EFAULT);
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(address + 2, 2), port);
        return 0;
    }

    /// <summary>The address as its four bytes in network order, read as a native uint (what IPAddress expects).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetIPv4Address")]
    static int GetIPv4Address(byte* address, int length, uint* value)
    {
        if (value == null || !IsInet(address, length, Ipv4Size, AfInet)) return Pal(-EFAULT);
        *value = *(uint*)(address + 4);
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetIPv4Address")]
    static int SetIPv4Address(byte* address, int length, uint value)
    {
        if (!IsInet(address, length, Ipv4Size, AfInet)) return Pal(-EFAULT);
        *(uint*)(address + 4) = value;
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetIPv6Address")]
    static int GetIPv6Address(byte* address, int length, byte* value, int valueLength, uint* scopeId)
    {
        if (value == null || scopeId == null || valueLength < 16 || !IsInet(address, length, Ipv6Size, AfInet6)) return Pal(-EFAULT);
        new ReadOnlySpan<byte>(address + 8, 16).CopyTo(new Span<byte>(value, 16));
        *scopeId = *(uint*)(address + 24);
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetIPv6Address")]
    static int SetIPv6Address(byte* address, int length, byte* value, int valueLength, uint scopeId)
    {
        if (value == null || valueLength < 16 || !IsInet(address, length, Ipv6Size, AfInet6)) return Pal(-EFAULT);
        *(uint*)(address + 4) = 0;   // flow information
        new ReadOnlySpan<byte>(value, 16).CopyTo(new Span<byte>(address + 8, 16));
        *(uint*)(address + 24) = scopeId;
        return 0;
    }

    /// <summary>IPv4 packet information on dual-mode sockets: there are no IPv6 sockets.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PlatformSupportsDualModeIPv4PacketInfo")]
    static int PlatformSupportsDualModeIPv4PacketInfo() => 0;

    /// <summary>The stack has one interface, "eth0" (index 1); 0 means no such interface, as if_nametoindex says.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_InterfaceNameToIndex")]
    static uint InterfaceNameToIndex(byte* name) =>
        name != null && MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name).SequenceEqual("eth0"u8) ? 1u : 0u;
}
