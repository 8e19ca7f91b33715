using CosmosNet.Kernel.Random;
using CosmosNet.Kernel.Threading;
using CosmosNet.Kernel.Time;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>Brings up interrupts, clocks, randomness and the scheduler (after CoreLib's InitializeModules,
/// before the app), then enables interrupts.</summary>
internal static class Machine
{
    internal static void Initialize()
    {
        Clock.Calibrate();
        Madt.Read();
        Pic.Disable();
        Irq.Initialize();
        Apic.Initialize(Madt.Found ? Madt.LocalApicAddress : 0);
        IoApic.Initialize(Madt.IoApicAddress, Madt.IoApicGsiBase);
        Timers.Initialize();
        WallClock.Initialize();
        Entropy.Seed();
        Scheduler.Initialize();
        Cpu.EnableInterrupts();
    }
}
