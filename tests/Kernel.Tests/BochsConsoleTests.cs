using System.Net;
using System.Net.Sockets;
using CosmosNet.Harness;
using CosmosNet.Harness.Testing;
using Xunit;

namespace CosmosNet.Kernel.Tests;

/// <summary>The diagnostics console in Bochs (issue 16: the serial ports work there too): COM2 at 0x2F8/IRQ 3 of Bochs's
/// 16550, as a TCP server, typed into while the Language kernel's suite runs; the answers come back.</summary>
public sealed class BochsConsoleTests(LanguageKernel kernel) : IClassFixture<LanguageKernel>
{
    static readonly TimeSpan Answer = TimeSpan.FromSeconds(60);

    [Fact]
    public void Console_input_is_answered_in_Bochs()
    {
        int port = FreePort();
        using var guest = Bochs.Start(kernel.Iso, TimeSpan.FromMinutes(10), consolePort: port);
        using var console = new ConsoleClient(port, TimeSpan.FromSeconds(60));   // Bochs starts the guest once connected
        console.WaitFor("\n" + ConsoleClient.Prompt, 0, TimeSpan.FromSeconds(300));
        Assert.Matches(@"^up \d+d \d\d:\d\d:\d\d\.\d{3} ", console.Run("uptime", Answer));
        Assert.Matches(@"(?m)^\s+\d+\s+console\s+Running", console.Run("threads", Answer));
        Assert.Equal("error: unknown command 'nonsense' (type help)\n", console.Run("nonsense", Answer));
        Assert.Matches(@"(?m)^vector 0x[0-9a-f]{2} \(console, COM2\): [1-9]\d*$", console.Run("irq", Answer));
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
