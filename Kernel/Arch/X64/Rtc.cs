namespace CosmosNet.Kernel.Arch.X64;

/// <summary>The CMOS real-time clock, read once at boot: seconds since the Unix epoch (UTC, as PC firmware
/// under QEMU and Bochs keeps it by default).</summary>
internal static class Rtc
{
    static byte Read(byte register)
    {
        Cpu.OutByte(0x70, (byte)(0x80 | register)); // bit 7: keep NMIs disabled while we are at it
        return Cpu.InByte(0x71);
    }

    static bool UpdateInProgress => (Read(0x0A) & 0x80) != 0;

    /// <summary>Unix seconds, or 0 when the RTC reads as nonsense.</summary>
    public static long ReadUnixSeconds()
    {
        long previous = -1;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            for (int spin = 0; spin < 1_000_000 && UpdateInProgress; spin++) Cpu.Pause();
            long now = ReadOnce();
            if (now == previous) return now;  // two equal reads: not torn by an update
            previous = now;
        }
        return previous < 0 ? 0 : previous;
    }

    static long ReadOnce()
    {
        byte status = Read(0x0B);
        bool binary = (status & 0x04) != 0, twentyFour = (status & 0x02) != 0;
        int second = Decode(Read(0x00), binary), minute = Decode(Read(0x02), binary);
        byte rawHour = Read(0x04);
        bool pm = (rawHour & 0x80) != 0;
        int hour = Decode((byte)(rawHour & 0x7F), binary);
        if (!twentyFour) hour = hour % 12 + (pm ? 12 : 0);
        int day = Decode(Read(0x07), binary), month = Decode(Read(0x08), binary), year = Decode(Read(0x09), binary);
        int century = Decode(Read(0x32), binary);
        year += century >= 19 && century <= 30 ? century * 100 : 2000;
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return 0;
        return DaysFromCivil(year, month, day) * 86400L + hour * 3600 + minute * 60 + second;
    }

    static int Decode(byte value, bool binary) => binary ? value : (value >> 4) * 10 + (value & 0xF);

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date.</summary>
    static long DaysFromCivil(int y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468;
    }
}
