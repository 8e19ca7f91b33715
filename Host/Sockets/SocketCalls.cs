using System.Runtime.InteropServices;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;
using static CosmosNet.Host.Sockets.Errno;
using static CosmosNet.Host.Sockets.SocketAddressCalls;

namespace CosmosNet.Host.Sockets;

/// <summary>
/// libSystem.Native's socket calls (pal_networking.h) as linux-x64's System.Net.Sockets makes them, over the
/// in-kernel stack: a socket is a <see cref="SocketDescriptor"/> in the kernel's descriptor table (close, poll and
/// fcntl reach it there). Each call returns .NET's PAL error code (Interop.Error) — 0 on success — never throws and
/// never trusts a pointer or length it was not given. AF_INET only: AF_INET6 and AF_UNIX fail with EAFNOSUPPORT, which
/// is how the BCL learns that IPv6 is off (Socket.OSSupportsIPv6) and falls back to IPv4.
/// </summary>
static unsafe class SocketCalls
{
    /// <summary>A call's result (a count, or a negative Linux errno) as the PAL error code it returns.</summary>
    internal static int Pal(int result) => result >= 0 ? 0 : Descriptor.ToPalError(-result);

    static SocketDescriptor? Find(nint fd) => Descriptor.Find(fd) as SocketDescriptor;

    // ---- SocketFlags (System.Net.Sockets numbering) ----
    const int MsgOob = 0x1, MsgPeek = 0x2, MsgDontRoute = 0x4, MsgTrunc = 0x100, MsgDontWait = 0x1000, MsgErrQueue = 0x2000;

    /// <summary>Flags this layer honours (peek) or may ignore (don't route); out-of-band data and the error queue are not there.</summary>
    static bool FlagsSupported(int flags) => (flags & ~(MsgPeek | MsgDontRoute)) == 0;

    // ---- creating, binding, listening, connecting ----

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Socket")]
    static int Socket(int addressFamily, int socketType, int protocolType, nint* created)
    {
        if (created == null) return Pal(-EFAULT);
        *created = -1;
        const int InterNetwork = 2, Stream = 1, Dgram = 2, Unspecified = 0, Tcp = 6, Udp = 17;
        if (addressFamily != InterNetwork) return Pal(-EAFNOSUPPORT);
        bool stream = socketType == Stream, datagram = socketType == Dgram;
        if (!stream && !datagram) return Pal(-ESOCKTNOSUPPORT);
        if (protocolType != Unspecified && protocolType != (stream ? Tcp : Udp)) return Pal(-EPROTONOSUPPORT);
        if (SocketNetwork.Current is not { } network) return Pal(-ENETDOWN);
        SocketDescriptor socket = stream ? new StreamSocket(network) : new DatagramSocket(network);
        int fd = Descriptor.Open(socket);
        if (fd < 0) return Pal(fd);
        *created = fd;
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Bind")]
    static int Bind(nint fd, int protocolType, byte* address, int length)
    {
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        if (!TryRead(address, length, out var local, out int errno)) return Pal(-errno);
        if (!socket.MayBind(local.Address)) return Pal(-EADDRNOTAVAIL);
        return Pal(socket.Bind(local));
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Listen")]
    static int Listen(nint fd, int backlog) => Find(fd) is { } socket ? Pal(socket.Listen(backlog)) : Pal(-EBADF);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Accept")]
    static int Accept(nint fd, byte* address, int* length, nint* accepted)
    {
        if (accepted == null) return Pal(-EFAULT);
        *accepted = -1;
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        int r = socket.Accept(out var connection);
        if (r < 0) return Pal(r);
        int newFd = Descriptor.Open(connection!);
        if (newFd < 0)
        {
            connection!.Close();
            return Pal(newFd);
        }
        if (length != null && connection!.RemoteEndpoint is { } peer) Write(peer, address, length);
        *accepted = newFd;
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Connect")]
    static int Connect(nint fd, byte* address, int length)
    {
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        if (IsUnspecified(address, length)) return Pal(socket.Disconnect());
        if (!TryRead(address, length, out var remote, out int errno)) return Pal(-errno);
        return Pal(socket.Connect(remote));
    }

    /// <summary>connectx(2) is macOS's (TCP Fast Open); the BCL calls it only there.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Connectx")]
    static int Connectx(nint fd, byte* address, int length, byte* data, int dataLength, int tfo, int* sent)
    {
        if (sent != null) *sent = 0;
        return Pal(-EOPNOTSUPP);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Disconnect")]
    static int Disconnect(nint fd) => Find(fd) is { } socket ? Pal(socket.Disconnect()) : Pal(-EBADF);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Shutdown")]
    static int Shutdown(nint fd, int how)
    {
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        return how is 0 or 1 or 2 ? Pal(socket.Shutdown(how)) : Pal(-EINVAL);
    }

    // ---- data ----

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Receive")]
    static int Receive(nint fd, byte* buffer, int length, int flags, int* received)
    {
        if (received == null || (buffer == null && length != 0) || length < 0) return Pal(-EFAULT);
        *received = 0;
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        if (!FlagsSupported(flags)) return Pal(-EOPNOTSUPP);
        int r = socket.Receive(new Span<byte>(buffer, length), (flags & MsgPeek) != 0, out _, out _);
        if (r >= 0) *received = r;
        return Pal(r);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Send")]
    static int Send(nint fd, byte* buffer, int length, int flags, int* sent)
    {
        if (sent == null || (buffer == null && length != 0) || length < 0) return Pal(-EFAULT);
        *sent = 0;
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        if (!FlagsSupported(flags & ~MsgPeek) || (flags & MsgPeek) != 0) return Pal(-EOPNOTSUPP);
        int r = socket.Send(new ReadOnlySpan<byte>(buffer, length), null);
        if (r >= 0) *sent = r;
        return Pal(r);
    }

    struct IOVector { public byte* Base; public nuint Count; }

    struct MessageHeader
    {
        public byte* SocketAddress;
        public IOVector* IOVectors;
        public byte* ControlBuffer;
        public int SocketAddressLen, IOVectorCount, ControlBufferLen, Flags;
    }

    /// <summary>The vectors' total length, or -1 when they are not valid.</summary>
    static long TotalLength(MessageHeader* header)
    {
        if (header->IOVectorCount < 0 || (header->IOVectors == null && header->IOVectorCount != 0)) return -1;
        long total = 0;
        for (int i = 0; i < header->IOVectorCount; i++)
        {
            if (header->IOVectors[i].Base == null && header->IOVectors[i].Count != 0) return -1;
            total += (long)header->IOVectors[i].Count;
        }
        return total <= int.MaxValue ? total : -1;
    }

    /// <summary>recvmsg(2): gathers into the vectors, reports the sender and MSG_TRUNC; no control messages.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ReceiveMessage")]
    static int ReceiveMessage(nint fd, MessageHeader* header, int flags, long* received)
    {
        if (header == null || received == null) return Pal(-EFAULT);
        *received = 0;
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        if (!FlagsSupported(flags)) return Pal(-EOPNOTSUPP);
        long total = TotalLength(header);
        if (total < 0) return Pal(-EFAULT);
        // Several vectors: through a buffer of at most one datagram's size (a stream socket may return less than asked,
        // and a large request must not cost a large allocation).
        var buffer = header->IOVectorCount == 1 ? new Span<byte>(header->IOVectors[0].Base, (int)total) : new byte[Math.Min(total, MaxGather)];
        int r = socket.Receive(buffer, (flags & MsgPeek) != 0, out var from, out bool truncated);
        if (r < 0) return Pal(r);
        if (header->IOVectorCount != 1)
        {
            int at = 0;
            for (int i = 0; i < header->IOVectorCount && at < r; i++)
            {
                int n = Math.Min((int)header->IOVectors[i].Count, r - at);
                buffer.Slice(at, n).CopyTo(new Span<byte>(header->IOVectors[i].Base, n));
                at += n;
            }
        }
        if (header->SocketAddress != null && header->SocketAddressLen > 0)
        {
            int length = header->SocketAddressLen;
            Write(from, header->SocketAddress, &length);
            header->SocketAddressLen = Math.Min(length, header->SocketAddressLen);
        }
        else header->SocketAddressLen = 0;
        header->ControlBufferLen = 0;
        header->Flags = truncated ? MsgTrunc : 0;
        *received = r;
        return 0;
    }

    /// <summary>sendmsg(2): the vectors as one stream or one datagram, to the given address or the connected peer.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SendMessage")]
    static int SendMessage(nint fd, MessageHeader* header, int flags, long* sent)
    {
        if (header == null || sent == null) return Pal(-EFAULT);
        *sent = 0;
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        if (!FlagsSupported(flags & ~MsgPeek) || (flags & MsgPeek) != 0) return Pal(-EOPNOTSUPP);
        long total = TotalLength(header);
        if (total < 0) return Pal(-EFAULT);
        Endpoint? to = null;
        if (header->SocketAddress != null && header->SocketAddressLen > 0)
        {
            if (!TryRead(header->SocketAddress, header->SocketAddressLen, out var destination, out int errno)) return Pal(-errno);
            if (socket.Type == 2) to = destination;   // sendto on a connected stream socket ignores the address, as Linux does
        }
        int r;
        if (header->IOVectorCount == 1) r = socket.Send(new ReadOnlySpan<byte>(header->IOVectors[0].Base, (int)total), to);
        else if (socket.Type == 1) r = SendEach(socket, header);
        else
        {
            // One datagram from several vectors: gathered (a datagram is at most 64 KiB).
            if (total > MaxGather) return Pal(-EMSGSIZE);
            var gathered = new byte[total];
            int at = 0;
            for (int i = 0; i < header->IOVectorCount; i++)
            {
                new ReadOnlySpan<byte>(header->IOVectors[i].Base, (int)header->IOVectors[i].Count).CopyTo(gathered.AsSpan(at));
                at += (int)header->IOVectors[i].Count;
            }
            r = socket.Send(gathered, to);
        }
        if (r >= 0) *sent = r;
        return Pal(r);
    }

    /// <summary>The largest buffer a vectored call allocates: one datagram.</summary>
    const int MaxGather = 64 * 1024;

    /// <summary>A stream's vectors sent one after another, without copying them together: stops at the first one the
    /// socket takes only in part (a short send, which .NET completes by sending the rest).</summary>
    static int SendEach(SocketDescriptor socket, MessageHeader* header)
    {
        int sent = 0;
        for (int i = 0; i < header->IOVectorCount; i++)
        {
            int length = (int)header->IOVectors[i].Count;
            if (length == 0) continue;
            int r = socket.Send(new ReadOnlySpan<byte>(header->IOVectors[i].Base, length), null);
            if (r < 0) return sent > 0 ? sent : r;
            sent += r;
            if (r < length) break;
        }
        return sent;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetBytesAvailable")]
    static int GetBytesAvailable(nint fd, int* available)
    {
        if (available == null) return Pal(-EFAULT);
        *available = 0;
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        *available = socket.BytesAvailable;
        return 0;
    }

    // ---- names ----

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetSockName")]
    static int GetSockName(nint fd, byte* address, int* length)
    {
        if (address == null || length == null) return Pal(-EFAULT);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        Write(socket.LocalEndpoint, address, length);
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetPeerName")]
    static int GetPeerName(nint fd, byte* address, int* length)
    {
        if (address == null || length == null) return Pal(-EFAULT);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        if (socket.RemoteEndpoint is not { } peer) return Pal(-ENOTCONN);
        Write(peer, address, length);
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetSocketType")]
    static int GetSocketType(nint fd, int* addressFamily, int* socketType, int* protocolType, int* isListening)
    {
        if (addressFamily == null || socketType == null || protocolType == null || isListening == null) return Pal(-EFAULT);
        if (Find(fd) is not { } socket) return Pal(-EBADF);
        *addressFamily = 2;
        *socketType = socket.Type;
        *protocolType = socket.Protocol;
        *isListening = socket.IsListening ? 1 : 0;
        return 0;
    }

    // ---- the event port (SocketAsyncEngine) ----

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CreateSocketEventPort")]
    static int CreateSocketEventPort(nint* port)
    {
        if (port == null) return Pal(-EFAULT);
        *port = SocketEventPort.Add(new SocketEventPort());
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CloseSocketEventPort")]
    static int CloseSocketEventPort(nint port)
    {
        if (SocketEventPort.Remove(port) is not { } p) return Pal(-EBADF);
        p.Close();
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CreateSocketEventBuffer")]
    static int CreateSocketEventBuffer(int count, SocketEvent** buffer)
    {
        if (buffer == null || count < 0) return Pal(-EFAULT);
        *buffer = (SocketEvent*)NativeMemory.Alloc((nuint)Math.Max(count, 1), (nuint)sizeof(SocketEvent));
        return *buffer == null ? Pal(-ENOMEM) : 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FreeSocketEventBuffer")]
    static int FreeSocketEventBuffer(SocketEvent* buffer)
    {
        NativeMemory.Free(buffer);
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_TryChangeSocketEventRegistration")]
    static int TryChangeSocketEventRegistration(nint port, nint fd, int currentEvents, int newEvents, nuint data)
    {
        const int Supported = (int)(SocketEvents.Read | SocketEvents.Write | SocketEvents.ReadClose | SocketEvents.Close | SocketEvents.Error);
        if ((currentEvents & ~Supported) != 0 || (newEvents & ~Supported) != 0) return Pal(-EINVAL);
        if (currentEvents == newEvents) return 0;
        if (SocketEventPort.Find(port) is not { } p || Find(fd) is not { } socket) return Pal(-EBADF);
        socket.Register(p, (SocketEvents)newEvents, data);
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_WaitForSocketEvents")]
    static int WaitForSocketEvents(nint port, SocketEvent* buffer, int* count)
    {
        if (buffer == null || count == null || *count <= 0) return Pal(-EFAULT);
        if (SocketEventPort.Find(port) is not { } p) return Pal(-EBADF);
        *count = p.Wait(buffer, *count);
        return 0;
    }
}
