using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Time;

namespace CosmosNet.Kernel.Random;

/// <summary>The kernel's random bytes. With RDRAND/RDSEED every request mixes in fresh hardware words;
/// the output always comes from a ChaCha20 generator with fast key erasure (the first 32 bytes of each
/// block after a request become the next key), seeded at boot from timer jitter, the RTC and the
/// hardware source when there is one. Behind Random, RandomNumberGenerator and CoreLib's hash seeds.</summary>
internal static unsafe class Entropy
{
    [System.Runtime.CompilerServices.InlineArray(8)] struct Key { uint _first; }
    static Key s_key;
    static uint s_counter;
    static ulong s_nonce;
    static bool s_seeded, s_hardware;

    public static bool UsesHardware => s_hardware;

    /// <summary>Boot seeding: jitter of the TSC against PIT/port reads (each sample's low bits are noisy
    /// under any emulator or real hardware), the RTC, and RDSEED/RDRAND if present.</summary>
    internal static void Seed()
    {
        s_hardware = CpuFeatures.HasRdrand || CpuFeatures.HasRdseed;
        Absorb((ulong)WallClock.UnixNanoseconds);
        Absorb(Cpu.ReadTimestampCounter());
        for (int i = 0; i < 256; i++)
        {
            ulong before = Cpu.ReadTimestampCounter();
            Cpu.InByte(0x61);        // an I/O exit: its cost varies from read to read
            Absorb(Cpu.ReadTimestampCounter() - before + ((ulong)i << 48));
        }
        if (s_hardware)
            for (int i = 0; i < 4; i++)
                if (CpuFeatures.TryHardwareRandom(out ulong word)) Absorb(word);
        s_seeded = true;
    }

    /// <summary>Folds 64 bits into the key and stirs: key = first half of ChaCha20(key xor input).</summary>
    static void Absorb(ulong input)
    {
        s_key[(int)(s_counter & 7)] ^= (uint)input;
        s_key[(int)((s_counter + 1) & 7)] ^= (uint)(input >> 32);
        s_counter++;
        Rekey();
    }

    static void Rekey()
    {
        byte* block = stackalloc byte[64];
        Generate(block);
        fixed (uint* key = &s_key[0]) Memory.Native.Memmove(key, block, 32);
        Memory.Native.Memset(block, 0, 64);
    }

    static void Generate(byte* output)
    {
        uint* nonce = stackalloc uint[3];
        nonce[0] = (uint)s_nonce; nonce[1] = (uint)(s_nonce >> 32); nonce[2] = 0x436f736d; // "Cosm"
        fixed (uint* key = &s_key[0]) ChaCha20.Block(key, s_counter, nonce, output);
        if (++s_counter == 0) s_nonce++;
    }

    /// <summary>Fills the buffer with cryptographically secure random bytes.</summary>
    public static void Fill(byte* buffer, int length)
    {
        ulong flags = InterruptGuard.Disable();
        if (!s_seeded) Seed();
        if (s_hardware && CpuFeatures.TryHardwareRandom(out ulong fresh)) Absorb(fresh);
        else Absorb(Cpu.ReadTimestampCounter());
        byte* block = stackalloc byte[64];
        while (length > 0)
        {
            Generate(block);
            int n = length < 64 ? length : 64;
            Memory.Native.Memmove(buffer, block, (nuint)n);
            buffer += n;
            length -= n;
        }
        Rekey();
        Memory.Native.Memset(block, 0, 64);
        InterruptGuard.Restore(flags);
    }
}
