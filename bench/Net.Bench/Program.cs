using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Net.Bench -- [--filter *] ; results under bench/results/net/
var root = args.SkipWhile(a => a != "--results").Skip(1).FirstOrDefault() ?? "bench/results/net";
var rest = args.TakeWhile(a => a != "--results").ToArray();
var config = DefaultConfig.Instance.WithArtifactsPath(Path.GetFullPath(root));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
