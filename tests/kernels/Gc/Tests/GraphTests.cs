using System.Runtime.CompilerServices;
using System.Text;

namespace CosmosNet.KernelTests;

/// <summary>Live object graphs of every shape survive forced collections with their contents intact.</summary>
static class GraphTests
{
    public static void LinkedListSurvives(Check c)
    {
        Node? head = null;
        for (int i = 0; i < 10_000; i++) head = new Node(i, head);
        Gc.Full(); Gc.Full();
        int expected = 9_999, count = 0;
        bool labels = true;
        for (Node? n = head; n != null; n = n.Next, expected--, count++)
            if (n.Value != expected || n.Label != "n" + expected) labels = false;
        c.Equal(10_000, count);
        c.True(labels);
    }

    public static void BinaryTreeSurvives(Check c)
    {
        var tree = TreeNode.Build(12, 1);
        long before = tree.Sum();
        Gc.Full();
        c.Equal(8191, tree.Count());
        c.Equal(before, tree.Sum());
    }

    public static void CycleSurvives(Check c)
    {
        var a = new Node(1, null);
        var b = new Node(2, a);
        a.Next = b;
        Gc.Full();
        c.Equal(2, a.Next!.Value);
        c.True(ReferenceEquals(a, a.Next.Next));
    }

    public static void StringsSurvive(Check c)
    {
        var strings = new string[2000];
        for (int i = 0; i < strings.Length; i++) strings[i] = "item-" + i + "-" + new string((char)('a' + i % 26), i % 50);
        Gc.Full();
        bool ok = true;
        for (int i = 0; i < strings.Length; i++) ok &= strings[i] == "item-" + i + "-" + new string((char)('a' + i % 26), i % 50);
        c.True(ok);
    }

    public static void StringBuilderSurvives(Check c)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 5000; i++) sb.Append(i % 10);
        Gc.Full();
        string s = sb.ToString();
        c.Equal(5000, s.Length);
        c.Equal('7', s[4997]);
    }

    public static void IntArraySurvives(Check c)
    {
        var numbers = new int[100_000];
        for (int i = 0; i < numbers.Length; i++) numbers[i] = i * 3 + 1;
        Gc.Full();
        long sum = 0;
        foreach (int n in numbers) sum += n;
        c.Equal(14_999_950_000L, sum);   // 3 * (0 + ... + 99999) + 100000
        c.Equal(299_998, numbers[99_999]);
    }

    public static void ObjectArraySurvives(Check c)
    {
        var objects = new object[3000];
        for (int i = 0; i < objects.Length; i++) objects[i] = i % 3 == 0 ? i : i % 3 == 1 ? "s" + i : new Node(i, null);
        Gc.Full();
        bool ok = true;
        for (int i = 0; i < objects.Length; i++)
            ok &= i % 3 == 0 ? objects[i] is int n && n == i : i % 3 == 1 ? objects[i] is string s && s == "s" + i : objects[i] is Node node && node.Value == i;
        c.True(ok);
    }

    public static void JaggedArraySurvives(Check c)
    {
        var rows = new int[300][];
        for (int i = 0; i < rows.Length; i++) { rows[i] = new int[i + 1]; rows[i][i] = i; }
        Gc.Full();
        bool ok = true;
        for (int i = 0; i < rows.Length; i++) ok &= rows[i].Length == i + 1 && rows[i][i] == i;
        c.True(ok);
    }

    public static void StructArrayWithReferencesSurvives(Check c)
    {
        // Arrays of structs holding references: the repeating GCDesc pattern.
        var items = new Mixed[4000];
        for (int i = 0; i < items.Length; i++) items[i] = new Mixed { A = i, S = "m" + i, B = -i, O = new Node(i, null) };
        Gc.Full();
        bool ok = true;
        for (int i = 0; i < items.Length; i++)
            ok &= items[i].A == i && items[i].S == "m" + i && items[i].B == -i && ((Node)items[i].O).Value == i;
        c.True(ok);
    }

    public static void ListSurvives(Check c)
    {
        var list = new List<string>();
        for (int i = 0; i < 5000; i++) list.Add(i.ToString("D6"));
        Gc.Full();
        c.Equal(5000, list.Count);
        c.Equal("004999", list[^1]);
        c.Equal("002500", list[2500]);
    }

    public static void DictionarySurvives(Check c)
    {
        var map = new Dictionary<string, List<int>>();
        for (int i = 0; i < 3000; i++) map["k" + i] = [i, i * 2];
        Gc.Full();
        bool ok = map.Count == 3000;
        for (int i = 0; i < 3000; i++) ok &= map.TryGetValue("k" + i, out var v) && v[0] == i && v[1] == i * 2;
        c.True(ok);
    }

    public static void HashSetAndQueueSurvive(Check c)
    {
        var set = new HashSet<string>();
        var queue = new Queue<Node>();
        for (int i = 0; i < 2000; i++) { set.Add("h" + i); queue.Enqueue(new Node(i, null)); }
        Gc.Full();
        c.Equal(2000, set.Count);
        c.True(set.Contains("h1999"));
        int expected = 0;
        bool ok = true;
        while (queue.Count > 0) ok &= queue.Dequeue().Value == expected++;
        c.True(ok);
    }

    public static void ClosuresAndDelegatesSurvive(Check c)
    {
        var funcs = new List<Func<int>>();
        for (int i = 0; i < 500; i++) { int captured = i; var node = new Node(i, null); funcs.Add(() => captured + node.Value); }
        Action<List<int>> multi = l => l.Add(1);
        multi += l => l.Add(2);
        Gc.Full();
        bool ok = true;
        for (int i = 0; i < funcs.Count; i++) ok &= funcs[i]() == 2 * i;
        var seen = new List<int>();
        multi(seen);
        c.True(ok);
        c.SequenceEqual(new[] { 1, 2 }, seen);
    }

    static List<string>? s_staticList;

    public static void StaticFieldRootsSurvive(Check c)
    {
        s_staticList = new List<string>();
        for (int i = 0; i < 1000; i++) s_staticList.Add("static" + i);
        Gc.Full();
        c.Equal(1000, s_staticList.Count);
        c.Equal("static999", s_staticList[999]);
        s_staticList = null;
    }

    [ThreadStatic] static Dictionary<int, string>? t_perThread;

    public static void ThreadStaticRootsSurvive(Check c)
    {
        t_perThread = new Dictionary<int, string>();
        for (int i = 0; i < 1000; i++) t_perThread[i] = "t" + i;
        Gc.Full();
        c.Equal(1000, t_perThread.Count);
        c.Equal("t777", t_perThread[777]);
        t_perThread = null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static ref int InteriorOfFreshArray(int length)
    {
        var array = new int[length];
        for (int i = 0; i < length; i++) array[i] = i;
        return ref array[length / 2];
    }

    public static void InteriorPointerKeepsArrayAlive(Check c)
    {
        // Only a `ref` into the middle of the array remains: the conservative scan must keep the array.
        ref int middle = ref InteriorOfFreshArray(10_000);
        Gc.Full();
        for (int i = 0; i < 200; i++) GC.KeepAlive(new int[1000]);   // would reuse the array's memory if freed
        Gc.Full();
        c.Equal(5000, middle);
        c.Equal(4999, Unsafe.Add(ref middle, -1));
        c.Equal(5001, Unsafe.Add(ref middle, 1));
    }

    public static void SpanOverArrayKeepsItAlive(Check c)
    {
        Span<long> span = new long[4096].AsSpan(1000, 100);
        for (int i = 0; i < span.Length; i++) span[i] = i * 11L;
        Gc.Full();
        for (int i = 0; i < 100; i++) GC.KeepAlive(new long[4096]);
        long sum = 0;
        foreach (long v in span) sum += v;
        c.Equal(11L * 4950, sum);
    }

    public static void LargeArraySurvives(Check c)
    {
        var big = Gc.Filled(7, 3_000_000);
        Gc.Full();
        for (int i = 0; i < 5; i++) GC.KeepAlive(new byte[200_000]);
        Gc.Full();
        c.True(Gc.Intact(big, 7));
    }

    public static void BoxedValuesSurvive(Check c)
    {
        object[] boxes = [42, 3.5, 'x', 123456789012L, (short)-7, true, (byte)200];
        Gc.Full();
        c.Equal(42, (int)boxes[0]);
        c.Equal(3.5, (double)boxes[1]);
        c.Equal('x', (char)boxes[2]);
        c.Equal(123456789012L, (long)boxes[3]);
        c.Equal((short)-7, (short)boxes[4]);
        c.True((bool)boxes[5]);
        c.Equal((byte)200, (byte)boxes[6]);
    }
}
