using System.CommandLine;
using CosmosNet.Harness;
using CosmosNet.Harness.Profiling;

/// <summary>`tools/guest profile`: boots an image with the kernel's sampling profiler (profile=HZ), applies a load,
/// and writes NAME.folded (folded stacks), NAME.svg (flame graph) and NAME.txt (top functions, counters per
/// request) into the output directory. `make profile` runs it.</summary>
static class ProfileCommand
{
    public static Command Create()
    {
        var kernel = new Option<string>("--kernel") { Description = "The image (ELF) to boot", Required = true };
        var name = new Option<string>("--name") { Description = "Base name of the output files", Required = true };
        var output = new Option<string>("--output") { Description = "Output directory", DefaultValueFactory = _ => "bench/results/profile" };
        var nic = new Option<string?>("--nic") { Description = "NIC model" };
        nic.AcceptOnlyFromAmong(Enum.GetNames<Nic>().Select(n => n.ToLowerInvariant()).ToArray());
        var hz = new Option<int>("--hz") { Description = "Samples per second", DefaultValueFactory = _ => 997 };
        var seconds = new Option<int>("--seconds") { Description = "Length of the load window", DefaultValueFactory = _ => 10 };
        var memory = new Option<int>("--memory", "-m") { Description = "RAM in MiB", DefaultValueFactory = _ => 512 };
        var load = new Option<string>("--load")
        {
            Description = "Shell command run as the load ({url}, {port}: guest port 80 forwarded; {seconds}); 'none' just samples",
            DefaultValueFactory = _ => ProfileOptions.DefaultLoad,
        };
        var ready = new Option<string>("--ready") { Description = "Serial text that says the app is ready ('|' between alternatives); by default Net.Http's or an ASP.NET Core host's", DefaultValueFactory = _ => "http: listening|Application started." };
        var append = new Option<string?>("--append") { Description = "Further kernel command-line words" };
        var tap = new Option<bool>("--tap") { Description = "A TAP device in a namespace of its own (needs root) instead of QEMU's user network; the load runs in the namespace" };
        var boot = new Option<bool>("--boot") { Description = "Profile the boot: from the profiler's start to the --ready line (no load)" };
        var top = new Option<int>("--top") { Description = "Functions listed in the report", DefaultValueFactory = _ => 15 };
        var command = new Command("profile", "Profile an app under load: folded stacks, flame graph SVG, counters per request")
        {
            kernel, name, output, nic, hz, seconds, memory, load, ready, append, tap, boot, top,
        };
        command.SetAction(parse =>
        {
            var options = new ProfileOptions
            {
                Kernel = Repository.PathOf(parse.GetValue(kernel)!), Hz = parse.GetValue(hz), Seconds = parse.GetValue(seconds),
                MemoryMiB = parse.GetValue(memory), Load = parse.GetValue(load), Ready = parse.GetValue(ready)!,
                Append = parse.GetValue(append), Boot = parse.GetValue(boot), Tap = parse.GetValue(tap), Nic = parse.GetValue(nic) is { } n ? Nics.Parse(n) : Nics.Default,
            };
            var result = ProfileSession.Run(options, Console.Error.WriteLine);
            string directory = Repository.PathOf(parse.GetValue(output)!), baseName = parse.GetValue(name)!;
            Directory.CreateDirectory(directory);
            var folded = result.Folded();
            string title = $"{baseName}: {result.Samples.Count} samples at {result.End.Hz} Hz, " + (options.Boot ? $"boot to '{options.Ready}'" : $"load: {options.Load}") + (options.Tap ? " over TAP" : " over QEMU's user network");
            File.WriteAllText(Path.Combine(directory, baseName + ".folded"), FlameGraph.Folded(folded));
            File.WriteAllText(Path.Combine(directory, baseName + ".svg"), FlameGraph.Svg(folded, title));
            string report = $"{title}\n{result.Report(parse.GetValue(top))}";
            if (result.LoadOutput.Length > 0) report += "\nload output:\n" + result.LoadOutput;
            File.WriteAllText(Path.Combine(directory, baseName + ".txt"), report);
            Console.Write(report);
            Console.WriteLine($"wrote {Path.Combine(directory, baseName)}.folded, .svg, .txt");
            return 0;
        });
        return command;
    }
}
