using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace CosmosNet.Corpus;

static class SpansAndPools
{
    public static void Run()
    {
        Span<int> numbers = stackalloc int[10];
        for (int i = 0; i < numbers.Length; i++) numbers[i] = i * i;
        numbers[2..5].Reverse();
        Console.WriteLine(string.Join(",", numbers.ToArray()));
        Console.WriteLine($"{numbers.IndexOf(16)} {numbers.Contains(81)} {numbers[^1]}");
        byte[] rented = ArrayPool<byte>.Shared.Rent(100);
        Console.WriteLine(rented.Length >= 100);
        var span = rented.AsSpan(0, 8);
        BinaryPrimitives.WriteInt32BigEndian(span, 0x01020304);
        BinaryPrimitives.WriteInt16LittleEndian(span[4..], -2);
        Console.WriteLine(Convert.ToHexString(span[..6]));
        ArrayPool<byte>.Shared.Return(rented);
        ReadOnlySpan<char> text = "key=value;other=thing";
        int semi = text.IndexOf(';');
        var first = text[..semi];
        Console.WriteLine($"{first[..first.IndexOf('=')].ToString()} {first[(first.IndexOf('=') + 1)..].ToString()} {text[(semi + 1)..].Length}");
        var longs = MemoryMarshal.Cast<int, long>(numbers);
        Console.WriteLine(longs.Length);
        Memory<int> mem = new int[] { 5, 6, 7, 8 };
        Console.WriteLine(mem.Slice(1, 2).Span[1]);
        using var owner = MemoryPool<char>.Shared.Rent(16);
        "pooled".AsSpan().CopyTo(owner.Memory.Span);
        Console.WriteLine(owner.Memory.Span[..6].ToString());
        var writer = new ArrayBufferWriter<byte>();
        writer.Write("abc"u8); writer.Write("def"u8);
        Console.WriteLine(writer.WrittenCount + " " + System.Text.Encoding.ASCII.GetString(writer.WrittenSpan));
        Span<int> sorted = [9, 1, 8, 2];
        sorted.Sort();
        Console.WriteLine(string.Join(",", sorted.ToArray()) + " " + sorted.BinarySearch(8));
    }
}

static class Immutables
{
    public static void Run()
    {
        var a = ImmutableArray.Create(3, 1, 2);
        var b = a.Add(5).Sort();
        Console.WriteLine($"{string.Join(",", a)} {string.Join(",", b)} {a.Length}");
        var list = ImmutableList<string>.Empty.Add("x").Add("y").Insert(0, "w");
        Console.WriteLine(string.Join(",", list.Remove("x")) + " " + list.Count);
        var dict = ImmutableDictionary<string, int>.Empty.Add("a", 1).SetItem("b", 2).SetItem("a", 3);
        Console.WriteLine(string.Join(",", dict.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}{kv.Value}")));
        var sorted = ImmutableSortedSet.Create(5, 3, 9, 3);
        Console.WriteLine(string.Join(",", sorted) + " " + sorted.Min + " " + sorted.Max);
        var builder = ImmutableArray.CreateBuilder<int>();
        for (int i = 0; i < 5; i++) builder.Add(i * 10);
        Console.WriteLine(string.Join(",", builder.ToImmutable().Reverse()));
        var stack = ImmutableStack<int>.Empty.Push(1).Push(2);
        var queue = ImmutableQueue<int>.Empty.Enqueue(1).Enqueue(2);
        Console.WriteLine($"{stack.Peek()} {queue.Peek()}");
        var frozen = new Dictionary<string, int> { ["one"] = 1, ["two"] = 2 }.ToFrozenDictionary();
        Console.WriteLine($"{frozen["two"]} {frozen.ContainsKey("three")}");
    }
}

static class CollectionsTour
{
    public static void Run()
    {
        var dict = new Dictionary<string, List<int>>();
        foreach (var (k, v) in new[] { ("a", 1), ("b", 2), ("a", 3) })
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(dict, k, out _);
            (slot ??= []).Add(v);
        }
        Console.WriteLine(string.Join(";", dict.Select(kv => $"{kv.Key}={string.Join(",", kv.Value)}")));
        var linked = new LinkedList<int>([1, 2, 3]);
        linked.AddFirst(0); linked.AddAfter(linked.Find(2)!, 25); linked.RemoveLast();
        Console.WriteLine(string.Join(",", linked));
        var sortedList = new SortedList<int, string> { [3] = "c", [1] = "a", [2] = "b" };
        Console.WriteLine(string.Join(",", sortedList.Values) + " " + sortedList.IndexOfKey(2));
        var bits = new System.Collections.BitArray(16);
        bits[3] = bits[7] = true;
        Console.WriteLine(string.Join("", bits.Cast<bool>().Select(b => b ? '1' : '0')));
        var ro = new ReadOnlyCollection<int>([4, 5]);
        Console.WriteLine(ro.Count + " " + ro[1]);
        var hs = new HashSet<int>(Enumerable.Range(0, 10));
        hs.ExceptWith([1, 3, 5]); hs.SymmetricExceptWith([0, 100]);
        Console.WriteLine(string.Join(",", hs.Order()));
        var ordered = new OrderedDictionary<string, int> { ["z"] = 1, ["a"] = 2 };
        ordered.Insert(1, "m", 3);
        Console.WriteLine(string.Join(",", ordered.Keys));
    }
}

static class ConcurrentCollections
{
    public static void Run()
    {
        var counts = new ConcurrentDictionary<int, int>();
        Parallel.For(0, 1000, i => counts.AddOrUpdate(i % 7, 1, (_, c) => c + 1));
        Console.WriteLine(string.Join(",", counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}:{kv.Value}")));
        Console.WriteLine(counts.GetOrAdd(99, k => k * 2) + " " + counts.TryRemove(99, out int removed) + " " + removed);
        var bag = new ConcurrentBag<int>();
        Parallel.ForEach(Enumerable.Range(1, 100), i => bag.Add(i));
        Console.WriteLine($"{bag.Count} {bag.Sum()}");
        var queue = new ConcurrentQueue<string>();
        queue.Enqueue("a"); queue.Enqueue("b");
        Console.WriteLine(queue.TryDequeue(out var head) ? head : "none");
        using var blocking = new BlockingCollection<int>(boundedCapacity: 4);
        var producer = Task.Run(() => { for (int i = 0; i < 20; i++) blocking.Add(i); blocking.CompleteAdding(); });
        int total = blocking.GetConsumingEnumerable().Sum();
        producer.Wait();
        Console.WriteLine(total);
    }
}
