using System.Diagnostics;

namespace CosmosNet.Net.TapHost;

/// <summary>One line per thing the host does, stamped with seconds since start; tests read these lines.</summary>
internal static class Log
{
    private static readonly Stopwatch Since = Stopwatch.StartNew();

    public static void Info(string message) => Console.Out.WriteLine($"[{Since.Elapsed.TotalSeconds,9:F3}] {message}");

    public static void Error(string message) => Console.Error.WriteLine($"[{Since.Elapsed.TotalSeconds,9:F3}] error: {message}");
}
