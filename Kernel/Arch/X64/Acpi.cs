namespace CosmosNet.Kernel.Arch.X64;

/// <summary>ACPI's fixed-feature power button (QEMU's <c>system_powerdown</c>, VMware's "shut down guest", a real
/// button): the FADT gives the SMI command port and the value that switches the chipset to ACPI mode, the PM1 event
/// registers and the SCI's interrupt. In ACPI mode with PWRBTN_EN set, a press sets PWRBTN_STS and raises the SCI;
/// the handler acknowledges it and posts SIGTERM (Runtime.Signals), which the app sees as on Linux when
/// systemd or `docker stop` ends it. No AML: general-purpose events (GPEs) need the DSDT's methods, so they stay
/// disabled; a power button that the FADT marks as a control-method device is not supported.</summary>
internal static unsafe class Acpi
{
    const ushort PwrBtnSts = 1 << 8, PwrBtnEn = 1 << 8;   // PM1 status / enable bit 8 (ACPI 6.5, 4.8.3.1)
    const ushort SciEn = 1 << 0;                          // PM1 control bit 0: events are SCIs, not SMIs
    const uint FlagPowerButtonIsControlMethod = 1 << 4;   // FADT flags: PWR_BUTTON

    static ushort s_pm1aStatus, s_pm1bStatus;   // the status registers; the enable registers follow at + length/2
    static int s_vector = -1;

    /// <summary>Power button presses seen (the console and tests may ask).</summary>
    public static ulong PowerButtonPresses { get; private set; }

    /// <summary>Whether the power button raises an interrupt (FADT found, ACPI mode on, SCI attached).</summary>
    public static bool PowerButtonEnabled => s_vector >= 0;

    /// <summary>Kernel start-up, once the IOAPIC is set up: ACPI mode, the power button's event, the SCI.</summary>
    public static void EnablePowerButton()
    {
        byte* fadt = AcpiTables.Find(AcpiTables.Facp);
        if (fadt == null || *(uint*)(fadt + 4) < 116) return;
        if ((*(uint*)(fadt + 112) & FlagPowerButtonIsControlMethod) != 0) return;
        ushort sci = *(ushort*)(fadt + 46);
        uint smiCommand = *(uint*)(fadt + 48);
        byte acpiEnable = fadt[52];
        ushort pm1aEvent = (ushort)*(uint*)(fadt + 56), pm1bEvent = (ushort)*(uint*)(fadt + 60);
        ushort pm1aControl = (ushort)*(uint*)(fadt + 64);
        byte pm1EventLength = fadt[88];
        ushort gpe0 = (ushort)*(uint*)(fadt + 80), gpe1 = (ushort)*(uint*)(fadt + 84);
        byte gpe0Length = fadt[92], gpe1Length = fadt[93];
        if (pm1aEvent == 0 || pm1EventLength < 4 || sci >= 16) return;

        // Hand the events from the firmware (SMI) to the OS (SCI): write ACPI_ENABLE to SMI_CMD, wait for SCI_EN.
        if (pm1aControl != 0 && (Cpu.InWord(pm1aControl) & SciEn) == 0 && smiCommand != 0 && acpiEnable != 0)
        {
            Cpu.OutByte((ushort)smiCommand, acpiEnable);
            ulong deadline = Clock.Nanoseconds + 1_000_000_000;
            while ((Cpu.InWord(pm1aControl) & SciEn) == 0 && Clock.Nanoseconds < deadline) Cpu.Pause();
        }
        if (pm1aControl != 0 && (Cpu.InWord(pm1aControl) & SciEn) == 0) return;

        // Only the power button raises the SCI: every other fixed event and every GPE off, stale status cleared.
        DisableGpes(gpe0, gpe0Length);
        DisableGpes(gpe1, gpe1Length);
        s_pm1aStatus = pm1aEvent;
        s_pm1bStatus = pm1bEvent;
        ushort enableOffset = (ushort)(pm1EventLength / 2);
        foreach (ushort status in (ReadOnlySpan<ushort>)[pm1aEvent, pm1bEvent])
        {
            if (status == 0) continue;
            Cpu.OutWord((ushort)(status + enableOffset), 0);
            Cpu.OutWord(status, Cpu.InWord(status));   // write-1-to-clear
        }

        // The SCI is a shareable, level-triggered, active-low ISA interrupt unless the MADT overrides it (QEMU's
        // does: active high).
        ushort flags = Madt.IsaFlags(sci);
        bool activeLow = (flags & 3) is 0 or 3, level = ((flags >> 2) & 3) is 0 or 3;
        s_vector = Irq.AttachGsi(Madt.IsaGsi(sci), activeLow, level, &OnSci, 0);
        if (s_vector < 0) return;
        Cpu.OutWord((ushort)(pm1aEvent + enableOffset), PwrBtnEn);
        if (pm1bEvent != 0) Cpu.OutWord((ushort)(pm1bEvent + enableOffset), PwrBtnEn);
    }

    static void DisableGpes(ushort block, byte length)
    {
        if (block == 0 || length < 2) return;
        for (int i = 0; i < length / 2; i++)
        {
            Cpu.OutByte((ushort)(block + length / 2 + i), 0);                 // enable bytes
            Cpu.OutByte((ushort)(block + i), Cpu.InByte((ushort)(block + i)));   // status bytes: write-1-to-clear
        }
    }

    /// <summary>The SCI (interrupts disabled, after the EOI): acknowledge the power button and post SIGTERM.</summary>
    static void OnSci(nint context)
    {
        bool pressed = false;
        foreach (ushort status in (ReadOnlySpan<ushort>)[s_pm1aStatus, s_pm1bStatus])
        {
            if (status == 0 || (Cpu.InWord(status) & PwrBtnSts) == 0) continue;
            Cpu.OutWord(status, PwrBtnSts);
            pressed = true;
        }
        if (!pressed) return;
        PowerButtonPresses++;
        Runtime.Signals.Post(Runtime.Signals.SIGTERM);
    }
}
