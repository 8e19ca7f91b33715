using System.Net.Sockets;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// What `make debug` does, in batch mode (issue 16): QEMU waits at the first instruction with its gdb stub; gdb with
/// the ELF's symbols and tools/gdb/cosmosnet.gdb finds the app's Main, stops at a breakpoint in the host layer, shows
/// the managed call chain back to Main, and names an ILC symbol in C# form.
/// </summary>
public sealed class DebugTests(ITestOutputHelper log)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void Gdb_reads_the_symbols_breaks_in_the_host_layer_and_walks_back_to_main()
    {
        string elf = ServerGuest.Elf;
        int port = ServerGuest.FreePort();
        using var guest = Qemu.Start(new QemuOptions { Kernel = elf, GdbPort = port }, Timeout);
        WaitUntilListening(port);

        var gdb = Processes.Run("gdb", [
            "-q", "-batch", "-nx", "-x", Path.Combine(Repository.Root, "tools/gdb/cosmosnet.gdb"),
            "-ex", $"target remote 127.0.0.1:{port}",
            "-ex", "info functions HttpServer_Program__Main",
            "-ex", "break CosmosNet_Host_CosmosNet_Host_NetworkHost__Run",
            "-ex", "continue",
            "-ex", "bt 4",
            "-ex", "cosmos-name CosmosNet_Host_CosmosNet_Host_NetworkHost__Run",
            "-ex", "kill",
            elf], Timeout);
        log.WriteLine(gdb.Output);

        Assert.False(gdb.TimedOut, "gdb did not finish");
        Assert.Contains("int HttpServer_Program__Main(void);", gdb.Output);           // the symbols are there
        Assert.Contains("Breakpoint 3, CosmosNet_Host_CosmosNet_Host_NetworkHost__Run", gdb.Output);   // 1, 2: the script's panic breaks
        Assert.Matches(@"#1 .* in HttpServer_Program__Main \(\) at .*Apps/HttpServer/Program\.cs:\d+", gdb.Output);
        Assert.Contains("CosmosNet.Host.NetworkHost.Run", gdb.Output);                  // cosmos-name
    }

    static void WaitUntilListening(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline) { Thread.Sleep(100); }
        }
    }
}
