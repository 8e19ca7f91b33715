using System.Runtime.InteropServices;
using CosmosNet.Kernel.Hal;
using static CosmosNet.Host.Sockets.Errno;
using static CosmosNet.Host.Sockets.SocketCalls;

namespace CosmosNet.Host.Sockets;

/// <summary>
/// getsockopt/setsockopt as the BCL calls them, with System.Net.Sockets' numbering of levels and names
/// (pal_networking.h). Values are ints (timeouts: a timeval). What a socket does with them: buffer sizes bound its
/// buffers, NoDelay makes its sends bypass Nagle, KeepAlive and its times apply to connections made or accepted
/// after they are set, Linger 0 makes close(2) reset; ReuseAddress, Broadcast, TTL, TOS, DontFragment and PacketInfo
/// are kept and read back. Anything else (multicast, IPv6, TCP Fast Open) is ENOPROTOOPT, as a kernel without it says.
/// </summary>
static unsafe class SocketOptions
{
    const int LevelSocket = 0xffff, LevelIp = 0, LevelIpv6 = 41, LevelTcp = 6, LevelUdp = 17;

    // SOL_SOCKET names
    const int AcceptConnection = 0x2, ReuseAddress = 0x4, KeepAlive = 0x8, Broadcast = 0x20, Linger = 0x80,
        SendBuffer = 0x1001, ReceiveBuffer = 0x1002, SendTimeout = 0x1005, ReceiveTimeout = 0x1006, Error = 0x1007, Type = 0x1008;
    // SOL_IP names
    const int TypeOfService = 3, TimeToLive = 4, DontFragment = 14, PacketInformation = 19;
    // SOL_TCP names
    const int NoDelay = 1, KeepAliveTime = 3, KeepAliveRetryCount = 16, KeepAliveInterval = 17;

    static SocketDescriptor? Find(nint fd) => Descriptor.Find(fd) as SocketDescriptor;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetSockOpt")]
    static int GetSockOpt(nint fd, int level, int name, byte* value, int* length)
    {
        if (value == null || length == null || *length < sizeof(int)) return Pal(-EFAULT);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        int result;
        lock (socket.SyncRoot)
        {
            switch ((level, name))
            {
                case (LevelSocket, Error): result = socket.TakeErrorRaw(); break;
                case (LevelSocket, Type): result = socket.Type; break;
                case (LevelSocket, AcceptConnection): result = socket.IsListening ? 1 : 0; break;
                case (LevelSocket, ReuseAddress): result = socket.ReuseAddress ? 1 : 0; break;
                case (LevelSocket, KeepAlive): result = socket.KeepAlive ? 1 : 0; break;
                case (LevelSocket, Broadcast): result = socket.Broadcast ? 1 : 0; break;
                case (LevelSocket, SendBuffer): result = socket.SendBufferSize; break;
                case (LevelSocket, ReceiveBuffer): result = socket.ReceiveBufferSize; break;
                case (LevelSocket, SendTimeout or ReceiveTimeout):
                    if (*length < 16) return Pal(-EINVAL);
                    int ms = name == SendTimeout ? socket.SendTimeout : socket.ReceiveTimeout;
                    ((long*)value)[0] = ms / 1000;
                    ((long*)value)[1] = ms % 1000 * 1000;
                    *length = 16;
                    return 0;
                case (LevelIp, TypeOfService): result = socket.TypeOfService; break;
                case (LevelIp, TimeToLive): result = socket.TimeToLive; break;
                case (LevelIp, DontFragment): result = socket.DontFragment ? 1 : 0; break;
                case (LevelIp, PacketInformation): result = socket.PacketInformation ? 1 : 0; break;
                case (LevelTcp, NoDelay) when socket.Type == 1: result = socket.NoDelay ? 1 : 0; break;
                case (LevelTcp, KeepAliveTime) when socket.Type == 1: result = socket.KeepAliveTime; break;
                case (LevelTcp, KeepAliveInterval) when socket.Type == 1: result = socket.KeepAliveInterval; break;
                case (LevelTcp, KeepAliveRetryCount) when socket.Type == 1: result = socket.KeepAliveProbes; break;
                default: return Pal(-ENOPROTOOPT);
            }
        }
        *(int*)value = result;
        *length = sizeof(int);
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetSockOpt")]
    static int SetSockOpt(nint fd, int level, int name, byte* value, int length)
    {
        if (value == null || length < sizeof(int)) return Pal(-EFAULT);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        int v = *(int*)value;
        lock (socket.SyncRoot)
        {
            switch ((level, name))
            {
                case (LevelSocket, ReuseAddress): socket.ReuseAddress = v != 0; break;
                case (LevelSocket, KeepAlive): socket.KeepAlive = v != 0; break;
                case (LevelSocket, Broadcast): socket.Broadcast = v != 0; break;
                // Linux's bounds: at least 2 KiB (send 4.5 KiB); at most 4 MiB here.
                case (LevelSocket, SendBuffer): socket.SendBufferSize = Math.Clamp(v, 4608, 4 << 20); break;
                case (LevelSocket, ReceiveBuffer): socket.ReceiveBufferSize = Math.Clamp(v, 2048, 4 << 20); break;
                case (LevelSocket, SendTimeout or ReceiveTimeout):
                    if (length < 16) return Pal(-EINVAL);
                    long seconds = ((long*)value)[0], micros = ((long*)value)[1];
                    if (seconds < 0 || micros is < 0 or >= 1_000_000) return Pal(-EINVAL);
                    int ms = (int)Math.Min(seconds * 1000 + (micros + 999) / 1000, int.MaxValue);
                    if (name == SendTimeout) socket.SendTimeout = ms; else socket.ReceiveTimeout = ms;
                    break;
                case (LevelIp, TypeOfService): socket.TypeOfService = v & 0xFF; break;
                case (LevelIp, TimeToLive):
                    if (v is < -1 or 0 or > 255) return Pal(-EINVAL);
                    socket.TimeToLive = v == -1 ? 64 : v;
                    break;
                case (LevelIp, DontFragment): socket.DontFragment = v != 0; break;
                case (LevelIp, PacketInformation): socket.PacketInformation = v != 0; break;
                case (LevelTcp, NoDelay) when socket.Type == 1: socket.NoDelay = v != 0; break;
                case (LevelTcp, KeepAliveTime) when socket.Type == 1:
                    if (v < 1) return Pal(-EINVAL);
                    socket.KeepAliveTime = v;
                    break;
                case (LevelTcp, KeepAliveInterval) when socket.Type == 1:
                    if (v < 1) return Pal(-EINVAL);
                    socket.KeepAliveInterval = v;
                    break;
                case (LevelTcp, KeepAliveRetryCount) when socket.Type == 1:
                    if (v is < 1 or > 127) return Pal(-EINVAL);
                    socket.KeepAliveProbes = v;
                    break;
                default: return Pal(-ENOPROTOOPT);
            }
        }
        return 0;
    }

    struct LingerOption { public int OnOff, Seconds; }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetLingerOption")]
    static int GetLingerOption(nint fd, LingerOption* option)
    {
        if (option == null) return Pal(-EFAULT);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        lock (socket.SyncRoot) *option = new LingerOption { OnOff = socket.LingerOn ? 1 : 0, Seconds = socket.LingerSeconds };
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetLingerOption")]
    static int SetLingerOption(nint fd, LingerOption* option)
    {
        if (option == null) return Pal(-EFAULT);
        if (option->OnOff != 0 && (option->Seconds < 0 || option->Seconds > ushort.MaxValue)) return Pal(-EINVAL);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        lock (socket.SyncRoot)
        {
            socket.LingerOn = option->OnOff != 0;
            socket.LingerSeconds = option->Seconds;
        }
        return 0;
    }

    /// <summary>SO_RCVTIMEO/SO_SNDTIMEO in milliseconds; -1 or 0 = none.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetReceiveTimeout")]
    static int SetReceiveTimeout(nint fd, int milliseconds) => SetTimeout(fd, milliseconds, receive: true);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetSendTimeout")]
    static int SetSendTimeout(nint fd, int milliseconds) => SetTimeout(fd, milliseconds, receive: false);

    static int SetTimeout(nint fd, int milliseconds, bool receive)
    {
        if (milliseconds < -1) return Pal(-EINVAL);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        lock (socket.SyncRoot)
        {
            if (receive) socket.ReceiveTimeout = Math.Max(milliseconds, 0);
            else socket.SendTimeout = Math.Max(milliseconds, 0);
        }
        return 0;
    }

    /// <summary>SO_ERROR as the PAL code, cleared by reading (how the BCL learns a non-blocking connect's end).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetSocketErrorOption")]
    static int GetSocketErrorOption(nint fd, int* error)
    {
        if (error == null) return Pal(-EFAULT);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        int errno = socket.TakeError();
        *error = errno == 0 ? 0 : Descriptor.ToPalError(errno);
        return 0;
    }

    // Multicast: the stack has no IGMP.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetIPv4MulticastOption")]
    static int GetIPv4MulticastOption(nint fd, int option, void* value) => Find(fd) is null ? Pal(-EBADF) : Pal(-ENOPROTOOPT);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetIPv4MulticastOption")]
    static int SetIPv4MulticastOption(nint fd, int option, void* value) => Find(fd) is null ? Pal(-EBADF) : Pal(-ENOPROTOOPT);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetIPv6MulticastOption")]
    static int GetIPv6MulticastOption(nint fd, int option, void* value) => Find(fd) is null ? Pal(-EBADF) : Pal(-ENOPROTOOPT);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetIPv6MulticastOption")]
    static int SetIPv6MulticastOption(nint fd, int option, void* value) => Find(fd) is null ? Pal(-EBADF) : Pal(-ENOPROTOOPT);
}
