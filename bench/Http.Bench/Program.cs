using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Http.Bench [-- --filter '*']
BenchmarkSwitcher.FromAssembly(typeof(CosmosNet.Net.Http.Bench.RequestBenchmarks).Assembly).Run(args);
