using System.Runtime.InteropServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Console;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Runtime;

namespace CosmosNet.Kernel;

/// <summary>The kernel's three steps of the start-up sequence driven by Boot/boot.asm:
/// EarlyInit → (CoreLib's InitializeModules) → Init → (the app's Main via __managed__Main) → Exit.</summary>
internal static unsafe class Kernel
{
    const uint MultibootMagic = 0x2BADB002;

    /// <summary>True once CoreLib's InitializeModules has run: strings and objects exist from then on.</summary>
    public static bool ObjectsAvailable { get; private set; }

    /// <summary>Before CoreLib: no objects, no string literals (they are rehydrated by InitializeModules),
    /// only pointers, structs and UTF-8 literals. Sets up what InitializeModules needs: memory.</summary>
    [UnmanagedCallersOnly(EntryPoint = "CosmosKernelEarlyInit")]
    static void EarlyInit(uint magic, uint multibootInfo, int* argc, byte*** argv)
    {
        Serial.Initialize();
        Serial.Write("CosmosNet: boot\n"u8);
        Interrupts.Initialize();
        if (magic != MultibootMagic) Panic.Halt("not started by a Multiboot loader (bad magic)"u8);
        if (!MemoryMap.ReadMultiboot((byte*)(ulong)multibootInfo)) Panic.Halt("the bootloader gave no memory map"u8);
        CommandLine.Read((byte*)(ulong)multibootInfo, argc, argv);
        Runtime.Files.BootModules.Read((byte*)(ulong)multibootInfo);
        // The loader's structures are read: from here on memory after the image (and after the modules
        // the loader put behind it, the /config files) is handed out.
        Image.Layout* image = Image.Current;
        PhysicalMemory.Initialize((ulong)image->Start, Math.Max((ulong)image->End, Runtime.Files.BootModules.End));
        Paging.Initialize();
    }

    /// <summary>After InitializeModules, before the app: the rest of the machine.</summary>
    [UnmanagedCallersOnly(EntryPoint = "CosmosKernelInit")]
    static void Init()
    {
        ObjectsAvailable = true;
        HardwareExceptions.Initialize();        // from here on, faults in managed code are managed exceptions
        Machine.Initialize();
        Diagnostics.Profiler.StartIfRequested();   // profile=HZ on the command line; nothing otherwise
        Runtime.Gc.Finalization.StartThread();   // needs the scheduler; before the app, so finalizers always have their thread
        Runtime.Signals.Start();                 // the thread that delivers signals to the app's handlers
        Acpi.EnablePowerButton();                // the ACPI power button raises SIGTERM
        Serial.Write("CosmosNet: "u8);
        Serial.WriteDecimal(MemoryMap.UsableBytes / (1024 * 1024));
        Serial.Write(" MiB RAM, TSC "u8);
        Serial.WriteDecimal(Clock.TscPerSecond / 1_000_000);
        Serial.Write(" MHz; starting the app\n"u8);
        Console.Shell.Start();                   // the diagnostics console's port, interrupt and thread
    }

    /// <summary>The app's Main returned: report and power off (status 0 for exit code 0).</summary>
    [UnmanagedCallersOnly(EntryPoint = "CosmosKernelExit")]
    static void Exit(int exitCode)
    {
        Serial.Write("CosmosNet: Main returned "u8);
        if (exitCode < 0) { Serial.WriteByte((byte)'-'); Serial.WriteDecimal((ulong)-(long)exitCode); }
        else Serial.WriteDecimal((ulong)exitCode);
        Serial.WriteByte((byte)'\n');
        if (exitCode == 0) Power.Shutdown();
        Power.Fail(Power.FailureExitValue);
    }
}
