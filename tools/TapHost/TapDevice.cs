using System.Runtime.InteropServices;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.TapHost;

/// <summary>
/// An existing Linux TAP interface as the stack's Ethernet device. Linux owns the interface's own MAC address;
/// the stack is a separate host behind it with its own <see cref="MacAddress"/>.
/// </summary>
internal sealed unsafe class TapDevice : INetworkDevice, IDisposable
{
    private readonly byte[] _receiveBuffer = new byte[65536];
    private FrameHandler? _handler;

    private TapDevice(string name, int fd, MacAddress mac, int mtu)
    {
        Name = name;
        FileDescriptor = fd;
        MacAddress = mac;
        Mtu = mtu;
    }

    public string Name { get; }
    public int FileDescriptor { get; }
    public MacAddress MacAddress { get; }
    public int Mtu { get; }

    public long FramesReceived { get; private set; }
    public long FramesSent { get; private set; }
    public long TransmitErrors { get; private set; }

    /// <summary>Attaches to the TAP interface <paramref name="name"/>, which must already exist (ip tuntap add NAME mode tap).</summary>
    public static TapDevice Open(string name, MacAddress mac)
    {
        if (name.Length is 0 or > 15) throw new TapException($"'{name}' is not a valid interface name (1 to 15 characters)");
        var sys = $"/sys/class/net/{name}";
        if (!Directory.Exists(sys))
            throw new TapException($"no network interface '{name}'; create it first, e.g. `ip tuntap add dev {name} mode tap && ip link set {name} up`");
        if (!File.Exists($"{sys}/tun_flags"))
            throw new TapException($"interface '{name}' exists but is not a TUN/TAP device");
        int mtu = int.TryParse(File.ReadAllText($"{sys}/mtu").Trim(), out var m) ? m : 1500;

        int fd = Native.open("/dev/net/tun", Native.O_RDWR | Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (fd < 0) throw new TapException($"cannot open /dev/net/tun: {Native.LastError()} (needs root or CAP_NET_ADMIN, and the tun module)");
        Native.IfReq req = default;
        var bytes = System.Text.Encoding.ASCII.GetBytes(name);
        for (int i = 0; i < bytes.Length; i++) req.Name[i] = bytes[i];
        req.Flags = Native.IFF_TAP | Native.IFF_NO_PI;
        if (Native.ioctl(fd, Native.TUNSETIFF, &req) < 0)
        {
            var error = Native.LastError();
            Native.close(fd);
            throw new TapException($"cannot attach to TAP device '{name}': {error} (is it a TAP, not TUN, device, and not attached elsewhere?)");
        }
        return new TapDevice(name, fd, mac, mtu);
    }

    public void Start(FrameHandler handler) => _handler = handler;

    public void Transmit(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            if (Native.write(FileDescriptor, p, frame.Length) == frame.Length) FramesSent++;
            else TransmitErrors++; // EAGAIN (kernel queue full) or EIO (link down): the frame is lost, as on a wire
        }
    }

    /// <summary>Reads every frame waiting in the kernel and hands each to the stack. Called by the loop when the fd is readable.</summary>
    public void ReceiveAvailable()
    {
        fixed (byte* p = _receiveBuffer)
        {
            while (true)
            {
                nint n = Native.read(FileDescriptor, p, _receiveBuffer.Length);
                if (n <= 0)
                {
                    if (n < 0 && Marshal.GetLastPInvokeError() is not (Native.EAGAIN or Native.EINTR))
                        throw new TapException($"read from {Name} failed: {Native.LastError()}");
                    return;
                }
                FramesReceived++;
                _handler?.Invoke(_receiveBuffer.AsSpan(0, (int)n));
            }
        }
    }

    public void Dispose() => Native.close(FileDescriptor);
}

internal sealed class TapException(string message) : Exception(message);
