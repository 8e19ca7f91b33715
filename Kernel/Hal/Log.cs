namespace CosmosNet.Kernel.Hal;

public enum LogLevel { Error, Warning, Info, Debug }

/// <summary>How much the appliance writes to its log (COM1): <c>log=debug</c> on the command line or
/// <c>log level debug</c> on the diagnostics console changes it while it runs; Info by default. Code that logs asks
/// <see cref="IsEnabled"/> first; the kernel's own start-up and panic lines are always written.</summary>
public static class Log
{
    static LogLevel? s_level;

    public static LogLevel Level
    {
        get => s_level ??= Parse(Environment.GetCommandLineArgs().FirstOrDefault(a => a.StartsWith("log=", StringComparison.Ordinal))?[4..]) ?? LogLevel.Info;
        set => s_level = value;
    }

    public static bool IsEnabled(LogLevel level) => level <= Level;

    /// <summary>"error", "warn"/"warning", "info", "debug" (any case); null for anything else.</summary>
    public static LogLevel? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "error" => LogLevel.Error,
        "warn" or "warning" => LogLevel.Warning,
        "info" => LogLevel.Info,
        "debug" => LogLevel.Debug,
        _ => null,
    };
}
