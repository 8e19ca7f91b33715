using System.CommandLine;
using System.Globalization;
using System.Text;
using CosmosNet.Harness;

/// <summary>`tools/guest boot-time`: QEMU start to the first HTTP 200 of GET /, with a static address and with DHCP,
/// per NIC, a few runs each (medians), for a CosmosNet image and, when given, a Linux guest that serves on port 80;
/// writes a Markdown report with one time-stamped serial log per mode (where the time goes). `make bench-boot`.</summary>
static class BootTimeCommand
{
    const string StaticAddress = "ip=10.0.2.15/24 gw=10.0.2.2";

    public static Command Create()
    {
        var kernel = new Option<string>("--kernel") { Description = "CosmosNet image (ELF) serving HTTP on port 80", Required = true };
        var nics = new Option<string>("--nics") { Description = "NICs, comma-separated", DefaultValueFactory = _ => "e1000,virtio" };
        var runs = new Option<int>("--runs") { Description = "Boots per configuration (the median is reported)", DefaultValueFactory = _ => 3 };
        var output = new Option<string?>("--output") { Description = "Markdown report (stdout only when absent)" };
        var linuxKernel = new Option<string?>("--linux-kernel") { Description = "A Linux bzImage whose initrd serves HTTP on port 80 (compared when given)" };
        var linuxInitrd = new Option<string?>("--linux-initrd") { Description = "Its initramfs" };
        var linuxAppend = new Option<string>("--linux-append") { Description = "Its command line", DefaultValueFactory = _ => "console=ttyS0 quiet" };
        var command = new Command("boot-time", "Time from QEMU start to the first HTTP 200 (static address and DHCP)")
        {
            kernel, nics, runs, output, linuxKernel, linuxInitrd, linuxAppend,
        };
        command.SetAction(parse =>
        {
            var inv = CultureInfo.InvariantCulture;
            int n = parse.GetValue(runs);
            var report = new StringBuilder();
            report.Append(inv, $"# Boot to first served request\n\n`make bench-boot` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}): ");
            report.Append(inv, $"QEMU start to the first `HTTP/1.1 200` of `GET /` through a forwarded port (user networking; a new connection every 50 ms while fewer than 3 are pending, each given up after 1 s), ");
            report.Append(inv, $"{n} boots per row, TCG, 1 vCPU, 256 MiB. The stages are medians of the time from QEMU's start to the serial line that ends them ");
            report.Append("(firmware: to `CosmosNet: boot`; kernel: to `starting the app`; NIC: to the driver's `net:` line; address: to the static address or DHCP lease; " +
                "listen: to `http: listening`; served: to the first 200).\n\n" +
                "| guest | NIC | address | first 200: median | min | max | firmware | kernel | NIC | address | listen |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
            var logs = new StringBuilder();
            foreach (var nicName in parse.GetValue(nics)!.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var nic = Nics.Parse(nicName);
                foreach (var (mode, append) in new[] { ("static", StaticAddress), ("DHCP", "") })
                {
                    var options = new QemuOptions { Kernel = Repository.PathOf(parse.GetValue(kernel)!), Nic = nic, Append = append };
                    var timings = Enumerable.Range(0, n).Select(_ => BootTimer.Measure(options, TimeSpan.FromMinutes(2))).ToList();
                    Row(report, "CosmosNet", nicName, mode, timings);
                    Console.Error.WriteLine($"boot-time: CosmosNet {nicName} {mode}: {string.Join(", ", timings.Select(t => Seconds(t.FirstOk)))} s");
                    var median = timings.OrderBy(t => t.FirstOk).ElementAt(timings.Count / 2);
                    logs.Append(inv, $"\n### CosmosNet, {nicName}, {mode}: first 200 at {Seconds(median.FirstOk)} s\n\n```\n");
                    foreach (var line in median.Lines) logs.Append(inv, $"{Seconds(line.At)} {line.Text}\n");
                    logs.Append("```\n");
                }
                if (parse.GetValue(linuxKernel) is { } linux)
                {
                    var options = new QemuOptions
                    {
                        Kernel = Repository.PathOf(linux), Initrd = parse.GetValue(linuxInitrd) is { } i ? Repository.PathOf(i) : null,
                        Append = parse.GetValue(linuxAppend), Nic = nic, ExitDevice = false,
                    };
                    var timings = Enumerable.Range(0, n).Select(_ => BootTimer.Measure(options, TimeSpan.FromMinutes(3))).ToList();
                    Row(report, "Linux", nicName, "as its init configures it", timings);
                }
            }
            if (parse.GetValue(linuxKernel) is null)
                report.Append("\nNo Linux guest compared (`--linux-kernel`/`--linux-initrd`; `make bench-boot` passes bench/linux-guest's).\n");
            report.Append("\n## Where the time goes (serial lines, host time stamps on the same clock, median boot)\n").Append(logs);
            if (parse.GetValue(output) is { } path) File.WriteAllText(Repository.PathOf(path), report.ToString());
            Console.Write(report);
            return 0;
        });
        return command;
    }

    static readonly string[] Stages = ["CosmosNet: boot", "starting the app", "net: ", "net: static address|net: DHCP lease", "http: listening"];

    static void Row(StringBuilder report, string guest, string nic, string mode, List<BootTiming> timings)
    {
        var sorted = timings.Select(t => t.FirstOk).Order().ToList();
        report.Append(CultureInfo.InvariantCulture, $"| {guest} | {nic} | {mode} | {Seconds(sorted[sorted.Count / 2])} s | {Seconds(sorted[0])} s | {Seconds(sorted[^1])} s |");
        foreach (var stage in Stages)
        {
            var at = timings.Select(t => t.Lines.FirstOrDefault(l => stage.Split('|').Any(l.Text.Contains)).At).Where(a => a > TimeSpan.Zero).Order().ToList();
            report.Append(at.Count == 0 ? " - |" : $" {Seconds(at[at.Count / 2])} |");
        }
        report.Append('\n');
    }

    static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture);

    static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
