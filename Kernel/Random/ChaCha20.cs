using System.Numerics;

namespace CosmosNet.Kernel.Random;

/// <summary>The ChaCha20 block function of RFC 8439 (section 2.3): 256-bit key, 32-bit counter, 96-bit nonce
/// to 64 bytes of key stream.</summary>
internal static unsafe class ChaCha20
{
    static void QuarterRound(uint* x, int a, int b, int c, int d)
    {
        x[a] += x[b]; x[d] ^= x[a]; x[d] = BitOperations.RotateLeft(x[d], 16);
        x[c] += x[d]; x[b] ^= x[c]; x[b] = BitOperations.RotateLeft(x[b], 12);
        x[a] += x[b]; x[d] ^= x[a]; x[d] = BitOperations.RotateLeft(x[d], 8);
        x[c] += x[d]; x[b] ^= x[c]; x[b] = BitOperations.RotateLeft(x[b], 7);
    }

    /// <summary>key: 8 words, nonce: 3 words (little-endian words of the RFC's byte strings); output: 64 bytes.</summary>
    public static void Block(uint* key, uint counter, uint* nonce, byte* output)
    {
        uint* state = stackalloc uint[16];
        uint* x = stackalloc uint[16];
        state[0] = 0x61707865; state[1] = 0x3320646e; state[2] = 0x79622d32; state[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) state[4 + i] = key[i];
        state[12] = counter;
        state[13] = nonce[0]; state[14] = nonce[1]; state[15] = nonce[2];
        for (int i = 0; i < 16; i++) x[i] = state[i];
        for (int round = 0; round < 10; round++)
        {
            QuarterRound(x, 0, 4, 8, 12); QuarterRound(x, 1, 5, 9, 13); QuarterRound(x, 2, 6, 10, 14); QuarterRound(x, 3, 7, 11, 15);
            QuarterRound(x, 0, 5, 10, 15); QuarterRound(x, 1, 6, 11, 12); QuarterRound(x, 2, 7, 8, 13); QuarterRound(x, 3, 4, 9, 14);
        }
        for (int i = 0; i < 16; i++)
        {
            uint word = x[i] + state[i];
            output[i * 4] = (byte)word; output[i * 4 + 1] = (byte)(word >> 8);
            output[i * 4 + 2] = (byte)(word >> 16); output[i * 4 + 3] = (byte)(word >> 24);
        }
    }
}
