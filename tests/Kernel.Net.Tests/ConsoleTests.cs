using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using CosmosNet.Harness;
using CosmosNet.Harness.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>Apps/HttpServer with its diagnostics console on COM2, which QEMU serves on a Unix socket.</summary>
public sealed class ConsoleServer : ServerGuest, IDisposable
{
    public string SocketPath { get; }

    public ConsoleServer() : this(Path.Combine(Path.GetTempPath(), $"cosmos-console-{Environment.ProcessId}-{Guid.NewGuid():N}.sock")) { }

    ConsoleServer(string socket) : base(Nics.Default, configure: o => o with { Console = $"unix:{socket},server=on,wait=off" })
    {
        SocketPath = socket;
    }

    void IDisposable.Dispose()
    {
        Dispose();
        File.Delete(SocketPath);
    }
}

/// <summary>
/// Issue 16's console tests: every command typed into COM2 while HTTP requests are being served, and answered; conns
/// shows the connection the test holds open (endpoints, Established); net's counters rise with requests; garbage,
/// control characters and an over-long line get one-line errors and the guest keeps serving; a client that reads late
/// still gets every answer whole. A second boot shares COM1 (console=com1) and powers the guest off from the console.
/// </summary>
[Collection("guests")]
public sealed partial class ConsoleTests(ConsoleServer guest, ITestOutputHelper log) : IClassFixture<ConsoleServer>
{
    static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    ConsoleClient Connect()
    {
        var client = new ConsoleClient(guest.SocketPath, TimeSpan.FromSeconds(10));
        client.Ready(Answer);
        return client;
    }

    HttpClient Http() => new() { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task Every_command_answers_while_requests_are_served()
    {
        using var console = Connect();
        using var http = Http();
        using var stop = new CancellationTokenSource();
        int served = 0;
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var r = await http.GetAsync("/", stop.Token).ConfigureAwait(false);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Interlocked.Increment(ref served);
            }
        }));
        try
        {
            string Run(string command)
            {
                string answer = console.Run(command, Answer);
                log.WriteLine($"> {command}\n{answer}");
                return answer;
            }
            string help = Run("help");
            foreach (var command in new[] { "help", "uptime", "mem", "gc", "threads", "net", "conns", "irq", "trace", "log", "reboot", "poweroff" })
                Assert.Matches($"(?m)^{command}\\b.*: ", help);
            Assert.Matches(@"^up \d+d \d\d:\d\d:\d\d\.\d{3} \(\d+ ms\), wall clock 20\d\d-", Run("uptime"));
            string mem = Run("mem");
            Assert.Matches(@"(?m)^ram: \d+\.\d MiB usable", mem);
            Assert.Matches(@"(?m)^heap: \d+\.\d MiB owned", mem);
            Assert.Matches(@"(?m)^native: ", mem);
            Assert.Matches(@"^collections \d+, phase \w+, \d+ pauses", Run("gc"));
            Assert.Matches(@"^collected in \d+\.\d ms: \d+ KiB live", Run("gc collect"));
            string threads = Run("threads");
            Assert.Matches(@"(?m)^\s+1\s+main\s+(Blocked|Ready|Running)\s+\d+\s+\d+/\d+ KiB\s+\d+", threads);
            Assert.Matches(@"(?m)^\s+\d+\s+console\s+Running", threads);
            Assert.Matches(@"(?m)^\s+\d+\s+finalizer\s+", threads);
            string irq = Run("irq");
            Assert.Matches(@"(?m)^vector 0x[0-9a-f]{2} \(console, COM2\): [1-9]\d*$", irq);
            Assert.Matches(@"(?m)^vector 0xf0 \(APIC timer\): [1-9]\d*$", irq);
            Assert.Contains(", 0 lost", irq);
            Assert.Contains("output 0 bytes dropped", irq);
            // The boot thread runs the network loop: its stack names the host's loop and the app's Main.
            string trace = Run("trace 1");
            Assert.Matches(@"(?m)^  #\d+\s+0x[0-9a-f]+  CosmosNet\.Host\.NetworkHost\.Run\(.*\) \+ 0x[0-9a-f]+$", trace);
            Assert.Contains("Program.Main()", trace);
            Assert.Matches(@"(?m)^nic: \w+ [0-9a-f:]{17}, link up: in \d+ frames", Run("net"));
            Assert.Matches(@"^\d+ connections", Run("conns"));
            Assert.Equal("log level info\n", Run("log"));
            Assert.Equal("log level debug\n", Run("log level debug"));
            Assert.Equal("log level info\n", Run("log level info"));
            Assert.True(Volatile.Read(ref served) > 0, "no request was served while the commands ran");
        }
        finally
        {
            stop.Cancel();
            try { await load; } catch (OperationCanceledException) { }
        }
        log.WriteLine($"{served} requests served meanwhile");
    }

    [Fact]
    public async Task Conns_lists_the_connection_the_test_holds_open()
    {
        using var console = Connect();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, guest.EchoPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync("ping\n"u8.ToArray());
        var buffer = new byte[5];
        int read = 0;
        while (read < 5) read += await stream.ReadAsync(buffer.AsMemory(read));   // echoed: established both ways
        // The echo reaching us does not mean its ACK has reached the guest: slirp delays its ACKs, and the ACK frame
        // and the conns query race on the network loop ("bytes out" counts acknowledged bytes; until the ACK they are
        // "buffered 5"). So ask until the guest has seen the ACK, then check the whole line.
        var deadline = DateTime.UtcNow + Answer;
        string conns;
        string? line;
        int asked = 0;
        while (true)
        {
            conns = console.Run("conns", Answer);
            asked++;
            line = conns.Split('\n').SingleOrDefault(l => l.StartsWith("tcp 10.0.2.15:7 -> 10.0.2.2:", StringComparison.Ordinal));
            if (line is null || !line.Contains(" buffered 5/", StringComparison.Ordinal) || DateTime.UtcNow > deadline) break;
            await Task.Delay(100);
        }
        log.WriteLine($"conns asked {asked} times\n{conns}");
        Assert.True(line is not null, conns);
        Assert.Matches(@" Established snd\.wnd \d+ rcv\.wnd \d+ rtt \d+\.\d ms rto \d+ ms cwnd \d+ ssthresh \S+ mss \d+ bytes out 5 in 5 rexmit \d+ loss open buffered 0/0$", line);
    }

    [Fact]
    public async Task Net_counters_rise_with_requests()
    {
        using var console = Connect();
        string before = console.Run("net", Answer);
        using (var http = Http())
            for (int i = 0; i < 5; i++)
                using (var r = await http.GetAsync("/")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        string after = console.Run("net", Answer);
        log.WriteLine(before + "\n" + after);
        Assert.True(Counter(after, @"^tcp: in (\d+)") >= Counter(before, @"^tcp: in (\d+)") + 5, "TCP segments in (at least one per request)");
        Assert.True(Counter(after, @"^tcp: .* accepted (\d+)") >= Counter(before, @"^tcp: .* accepted (\d+)") + 1, "connections accepted");
        Assert.True(Counter(after, @"FramesReceived=(\d+)") > Counter(before, @"FramesReceived=(\d+)"), "frames received");
        Assert.True(Counter(after, @"IpSent=(\d+)") > Counter(before, @"IpSent=(\d+)"), "IP packets sent");
    }

    static long Counter(string text, string pattern)
    {
        var m = Regex.Match(text, pattern, RegexOptions.Multiline);
        Assert.True(m.Success, $"{pattern} in:\n{text}");
        return long.Parse(m.Groups[1].Value);
    }

    [Fact]
    public async Task Garbage_gets_one_line_errors_and_the_guest_keeps_serving()
    {
        using var console = Connect();
        Assert.Equal("error: unknown command 'frobnicate' (type help)\n", console.Run("frobnicate now", Answer));
        Assert.Equal("error: unknown command '???zz?' (type help)\n", console.Run([0x01, 0x1b, 0xff, (byte)'z', (byte)'z', 0x80], Answer));
        Assert.Equal("error: line too long (at most 200 characters)\n", console.Run(new string('x', 5000), Answer));
        Assert.Equal("error: trace: usage: trace <thread id> (see threads)\n", console.Run("trace banana", Answer));
        Assert.Equal("error: trace: no thread 999999\n", console.Run("trace 999999", Answer));
        Assert.Equal("error: gc: usage: gc [collect]\n", console.Run("gc sideways", Answer));
        Assert.Equal("error: log: usage: log [level error|warn|info|debug]\n", console.Run("log level loud", Answer));
        Assert.Equal("", console.Run("   ", Answer));
        // Backspace edits the line; Ctrl-C drops it.
        Assert.StartsWith("up ", console.Run("uptimx\be", Answer));
        int mark = console.Text.Length;
        console.Send("mem\x03");
        console.WaitFor("mem^C\n" + ConsoleClient.Prompt, mark, Answer);
        Assert.StartsWith("up ", console.Run("uptime", Answer));
        // 16 KiB of random bytes with no line end in sight, then a line end: one error, and the machine lives on.
        var noise = new byte[16384];
        new Random(16).NextBytes(noise);
        for (int i = 0; i < noise.Length; i++) if (noise[i] is (byte)'\r' or (byte)'\n' or 0x03 or 0x15) noise[i] = (byte)'x';
        string answer = console.Run(noise, Answer);
        Assert.StartsWith("error: ", answer);
        Assert.Equal(1, answer.Count(c => c == '\n'));
        string irq = console.Run("irq", Answer);
        Assert.Contains(", 0 lost", irq);
        Assert.Contains("output 0 bytes dropped", irq);
        using var http = Http();
        using var r = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(guest.Running);
    }

    /// <summary>Input typed while the console's thread cannot take it (here: its answer waits for a host that reads late)
    /// beyond the 4 KiB ring is held back in the UART and the emulator's socket, not dropped: the long line after the
    /// command is still answered, and nothing is lost. (Dropped input used to be counted as lost, and a dropped line end
    /// left the line unanswered.) The 4 s pause stays well inside the kernel's 10 s transmit stall limit.</summary>
    [Fact]
    public void Input_beyond_the_ring_waits_while_the_console_is_busy()
    {
        using var console = Connect();
        string help = console.Run("help", Answer);
        long holdsBefore = Counter(console.Run("irq", Answer), @"held back (\d+) times");
        int mark = console.Text.Length;
        using (console.HoldReading())
        {
            console.Send("help\r" + new string('x', 8192) + "\r");
            Thread.Sleep(TimeSpan.FromSeconds(4));   // longer than the 4 KiB ring takes to fill at load ~20
        }
        int end = console.WaitFor("\n" + ConsoleClient.Prompt, mark, Answer);
        end = console.WaitFor("\n" + ConsoleClient.Prompt, end - 1, Answer);
        Assert.Equal("help\n" + help + ConsoleClient.Prompt + new string('x', 200) +
            "\nerror: line too long (at most 200 characters)\n" + ConsoleClient.Prompt, console.Text[mark..end]);
        string irq = console.Run("irq", Answer);
        long holds = Counter(irq, @"held back (\d+) times") - holdsBefore;
        // Whether the ring filled depends on how fast QEMU feeds the UART meanwhile (at load ~55 it sometimes did not in
        // 4 s); what must hold either way is that nothing typed is lost.
        log.WriteLine($"input held back {holds} times meanwhile\n{irq}");
        Assert.Contains(", 0 lost", irq);
        Assert.Contains("output 0 bytes dropped", irq);
    }

    /// <summary>A console client on a loaded host reads the port's socket late; QEMU writes each byte to that socket on its
    /// own and a Unix socket takes only ~200 such writes before its reader catches up, then the UART's transmit FIFO stays
    /// full. The guest waits for it instead of overwriting it, so every answer arrives whole (it used to lose most of
    /// them). 1.5 s without reading is well inside the 10 s after which the kernel gives a dead backend up.</summary>
    [Fact]
    public void Answers_reach_a_client_that_reads_late_whole()
    {
        using var console = Connect();
        string help = console.Run("help", Answer);
        const int Commands = 10;
        int mark = console.Text.Length;
        using (console.HoldReading())
        {
            console.Send(string.Concat(Enumerable.Repeat("help\r", Commands)));
            Thread.Sleep(TimeSpan.FromSeconds(1.5));
        }
        int end = mark;
        for (int i = 0; i < Commands; i++) end = console.WaitFor("\n" + ConsoleClient.Prompt, end - 1, Answer);
        Assert.Equal(string.Concat(Enumerable.Repeat("help\n" + help + ConsoleClient.Prompt, Commands)), console.Text[mark..end]);
        Assert.Contains("output 0 bytes dropped", console.Run("irq", Answer));
    }
}

/// <summary><c>console=com1</c>: the console shares COM1 with the log (here on a socket, to type into), answers by line
/// between the app's lines, and <c>poweroff</c> ends the guest cleanly.</summary>
[Collection("guests")]
public sealed class SharedConsoleTests(ITestOutputHelper log)
{
    [Fact]
    public void Console_on_com1_answers_beside_the_log_and_powers_off()
    {
        string socket = Path.Combine(Path.GetTempPath(), $"cosmos-com1-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        using var guest = Qemu.Start(new QemuOptions
        {
            Kernel = ServerGuest.Elf, Append = "console=com1", Serial = $"unix:{socket},server=on,wait=on",
            Network = new UserNetwork(), Nic = Nics.Default,
        }, TimeSpan.FromMinutes(5));
        try
        {
            using var console = new ConsoleClient(socket, TimeSpan.FromSeconds(30));   // wait=on: QEMU starts the guest once connected
            console.WaitFor("http: listening", 0, TimeSpan.FromSeconds(120));
            Assert.Contains("CosmosNet: diagnostics console on COM1 (type help)", console.Text);
            console.Ready(TimeSpan.FromSeconds(30));
            Assert.StartsWith("up ", console.Run("uptime", TimeSpan.FromSeconds(30)));
            Assert.Matches(@"(?m)^\s+\d+\s+console\s+Running", console.Run("threads", TimeSpan.FromSeconds(30)));
            console.Send("poweroff\r");
            var run = guest.WaitForExit(TimeSpan.FromSeconds(60));
            log.WriteLine(console.Text);
            Assert.Contains("powering off", console.Text);
            Assert.False(run.TimedOut);
            Assert.Equal(0, run.ExitCode);
        }
        finally
        {
            File.Delete(socket);
        }
    }
}
