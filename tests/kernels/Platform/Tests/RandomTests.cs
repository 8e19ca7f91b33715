using System.Security.Cryptography;
using CosmosNet.Kernel.Random;

namespace CosmosNet.KernelTests;

static partial class PlatformSuite
{
    static class RandomTests
    {
        public static void Register()
        {
            Test("chacha20_block_matches_rfc8439", () =>
            {
                // RFC 8439 section 2.3.2: key 00..1f, nonce 000000090000004a00000000, counter 1.
                unsafe
                {
                    uint* key = stackalloc uint[8];
                    for (int i = 0; i < 8; i++) key[i] = (uint)(i * 4) | (uint)(i * 4 + 1) << 8 | (uint)(i * 4 + 2) << 16 | (uint)(i * 4 + 3) << 24;
                    uint* nonce = stackalloc uint[3];
                    nonce[0] = 0x09000000; nonce[1] = 0x4a000000; nonce[2] = 0;
                    byte* output = stackalloc byte[64];
                    ChaCha20.Block(key, 1, nonce, output);
                    string hex = Convert.ToHexString(new ReadOnlySpan<byte>(output, 64)).ToLowerInvariant();
                    Check(hex == "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
                               + "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e", $"block {hex}");
                }
            });

            Test("random_number_generator_bytes_look_random", () =>
            {
                byte[] a = RandomNumberGenerator.GetBytes(32), b = RandomNumberGenerator.GetBytes(32);
                Check(!a.SequenceEqual(b), "two draws are equal");
                byte[] big = RandomNumberGenerator.GetBytes(1 << 16);
                var counts = new int[256];
                foreach (byte x in big) counts[x]++;
                double chi = counts.Sum(c => (c - 256.0) * (c - 256.0) / 256.0);
                Check(chi > 150 && chi < 400, $"chi-square {chi:F1} over 255 degrees of freedom");
            });

            Test("random_instances_differ_and_shared_works", () =>
            {
                var a = new Random(); var b = new Random();
                bool same = true;
                for (int i = 0; i < 8; i++) same &= a.Next() == b.Next();
                Check(!same, "two unseeded Randoms agree");
                int v = Random.Shared.Next(10, 20);
                Check(v >= 10 && v < 20, $"Random.Shared.Next gave {v}");
                var seeded1 = new Random(7); var seeded2 = new Random(7);
                Check(seeded1.Next() == seeded2.Next(), "seeded Randoms differ");
            });

            Test("guid_newguid_is_unique_v4", () =>
            {
                var set = new HashSet<Guid>();
                for (int i = 0; i < 1000; i++) set.Add(Guid.NewGuid());
                Check(set.Count == 1000, "duplicate Guid");
                Check(set.First().Version == 4, $"version {set.First().Version}");
            });

            Test("string_hashes_are_seeded", () =>
            {
                // Randomized hashing: the seed is not all-zero (the Marvin hash of "" with seed 0 is a constant).
                Check("".GetHashCode() != 0 || "a".GetHashCode() != "b".GetHashCode(), "hash codes look unseeded");
                Check("abc".GetHashCode() == "abc".GetHashCode(), "hash not stable within a run");
            });
        }
    }
}
