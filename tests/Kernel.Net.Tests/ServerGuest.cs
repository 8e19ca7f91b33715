using System.Net;
using System.Net.Sockets;
using CosmosNet.Harness;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// One QEMU guest running Apps/HttpServer for the whole test class: built once (iso/tests/httpserver/), booted
/// with a NIC (<see cref="Nics.Default"/>: e1000 unless COSMOS_NIC says otherwise) on user-mode networking, HTTP,
/// echo and a port nobody listens on forwarded from free loopback ports. A fixture for another NIC derives
/// (xunit wants one public constructor): <c>public sealed class VirtioServer() : ServerGuest(Nic.Virtio);</c>. The harness kills the guest on dispose,
/// after <see cref="MaxLifetime"/>, or when the test process exits, whichever comes first.
/// </summary>
public class ServerGuest : IDisposable
{
    static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90), MaxLifetime = TimeSpan.FromMinutes(5);
    public const int ClosedGuestPort = 9;

    readonly Guest _guest;

    public Nic Nic { get; }
    public int HttpPort { get; }
    public int EchoPort { get; }
    public int ClosedPort { get; }
    /// <summary>From QEMU start to the "DHCP lease" line.</summary>
    public TimeSpan BootToLease { get; }
    public string Serial => _guest.Output;

    /// <summary>Apps/HttpServer's ELF, built once per test run.</summary>
    public static string Elf => Image.Build("Apps/HttpServer", Image.TestDirectory("httpserver"));

    public ServerGuest() : this(Nics.Default) { }

    /// <param name="nicProperties">Extra QEMU device properties ("vectors=0"); <paramref name="monitorSocket"/>: a
    /// Unix socket for the QEMU monitor, or none; <paramref name="append"/>: extra kernel command-line arguments
    /// (e.g. <c>nic.irq=intx</c>); <paramref name="configure"/>: changes the boot itself, e.g. the ISO on q35
    /// with OVMF instead of the ELF: <c>o => o with { Kernel = null, Cdrom = iso, Uefi = true, Machine = "q35" }</c>.</param>
    protected internal ServerGuest(Nic nic, string? nicProperties = null, string? monitorSocket = null, string? append = null,
        Func<QemuOptions, QemuOptions>? configure = null)
    {
        Nic = nic;
        HttpPort = FreePort(); EchoPort = FreePort(); ClosedPort = FreePort();
        var options = new QemuOptions
        {
            Kernel = Elf, Nic = nic, NicProperties = nicProperties, MonitorSocket = monitorSocket, Append = append,
            Network = new UserNetwork(new(HttpPort, 80), new(EchoPort, 7), new(ClosedPort, ClosedGuestPort)),
        };
        _guest = Qemu.Start(configure is null ? options : configure(options), MaxLifetime);
        try
        {
            BootToLease = _guest.WaitForLine("DHCP lease", BootTimeout).At;
            _guest.WaitForLine("http: listening", BootTimeout - BootToLease);
        }
        catch
        {
            _guest.Dispose();
            throw;
        }
    }

    public bool Running => !_guest.HasExited;

    public void Dispose()
    {
        _guest.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
