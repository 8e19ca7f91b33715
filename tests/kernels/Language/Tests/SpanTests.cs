using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CosmosNet.KernelTests;

static class SpanTests
{
    public static void StackallocSliceFill(Check c)
    {
        Span<int> values = stackalloc int[16];
        for (int i = 0; i < values.Length; i++) values[i] = i;
        Span<int> middle = values.Slice(4, 8);
        middle.Fill(-1);
        c.Equal(3, values[3]);
        c.Equal(-1, values[4]);
        c.Equal(-1, values[11]);
        c.Equal(12, values[12]);
        middle.Clear();
        int sum = 0;
        foreach (int v in values) sum += v;
        c.Equal(0 + 1 + 2 + 3 + 12 + 13 + 14 + 15, sum);
    }

    public static void ReadOnlySpanOfString(Check c)
    {
        ReadOnlySpan<char> text = "key=value;other=1";
        int eq = text.IndexOf('=');
        c.Equal("key", text[..eq].ToString());
        ReadOnlySpan<char> rest = text[(eq + 1)..];
        c.Equal("value", rest[..rest.IndexOf(';')].ToString());
        c.True(text.EndsWith("=1"));
        c.True(int.TryParse(text[^1..], out int one) && one == 1);
    }

    public static void MemoryMarshalCast(Check c)
    {
        Span<byte> bytes = stackalloc byte[8];
        Span<uint> words = MemoryMarshal.Cast<byte, uint>(bytes);
        words[0] = 0x04030201;
        words[1] = 0xDDCCBBAA;
        c.Equal(2, words.Length);
        c.Equal((byte)0x01, bytes[0]);
        c.Equal((byte)0xAA, bytes[4]);
        c.Equal(0xDDCCBBAA04030201UL, MemoryMarshal.Read<ulong>(bytes));
    }

    public static void BinaryPrimitivesEndianness(Check c)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, 0xC0A80001);
        c.SequenceEqual(new byte[] { 192, 168, 0, 1 }, buffer.ToArray());
        c.Equal(0x0100A8C0u, BinaryPrimitives.ReadUInt32LittleEndian(buffer));
        c.Equal((ushort)0x3412, BinaryPrimitives.ReverseEndianness((ushort)0x1234));
    }

    public static void SequenceSearch(Check c)
    {
        ReadOnlySpan<byte> haystack = "GET /index.html HTTP/1.1\r\n"u8;
        c.Equal(4, haystack.IndexOf((byte)'/'));
        c.Equal(15, haystack.IndexOf(" HTTP"u8));
        c.True(haystack.StartsWith("GET "u8));
        c.True(haystack.SequenceEqual("GET /index.html HTTP/1.1\r\n"u8));
        int[] numbers = [5, 1, 4];
        c.True(numbers.AsSpan().Contains(4));
        numbers.AsSpan().Sort();
        c.SequenceEqual(new[] { 1, 4, 5 }, numbers);
    }

    public static void ArrayPoolRentReturn(Check c)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(1000);
        c.True(rented.Length >= 1000);
        rented[999] = 7;
        ArrayPool<byte>.Shared.Return(rented);
        var memory = new Memory<int>(new[] { 1, 2, 3, 4 });
        c.Equal(2, memory.Slice(2).Length);
        c.Equal(3, memory.Span[2]);
    }
}
