using System.Numerics;

namespace CosmosNet.Corpus;

static class SortingAlgorithms
{
    static void QuickSort<T>(T[] a, int lo, int hi) where T : IComparable<T>
    {
        if (lo >= hi) return;
        T pivot = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j)
        {
            while (a[i].CompareTo(pivot) < 0) i++;
            while (a[j].CompareTo(pivot) > 0) j--;
            if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
        }
        QuickSort(a, lo, j); QuickSort(a, i, hi);
    }

    static List<T> MergeSort<T>(List<T> xs, Comparison<T> cmp)
    {
        if (xs.Count <= 1) return xs;
        var l = MergeSort(xs[..(xs.Count / 2)], cmp); var r = MergeSort(xs[(xs.Count / 2)..], cmp);
        var result = new List<T>(xs.Count);
        int i = 0, j = 0;
        while (i < l.Count && j < r.Count) result.Add(cmp(l[i], r[j]) <= 0 ? l[i++] : r[j++]);
        result.AddRange(l[i..]); result.AddRange(r[j..]);
        return result;
    }

    public static void Run()
    {
        var rng = new Random(12345);
        int[] data = Enumerable.Range(0, 200).Select(_ => rng.Next(1000)).ToArray();
        var copy = (int[])data.Clone();
        QuickSort(copy, 0, copy.Length - 1);
        Console.WriteLine($"{copy.SequenceEqual(data.Order())} {copy[0]} {copy[^1]} {data.Take(5).Sum()}");
        var words = "delta alpha echo charlie bravo foxtrot".Split(' ').ToList();
        Console.WriteLine(string.Join(" ", MergeSort(words, string.CompareOrdinal)));
        string[] s = ["b", "a", "c"]; QuickSort(s, 0, 2);
        Console.WriteLine(string.Join("", s));
        Console.WriteLine(rng.NextDouble().ToString("F6") + " " + rng.NextInt64(1L << 40));
    }
}

static class GraphSearch
{
    public static void Run()
    {
        var edges = new (string From, string To, int Cost)[] { ("a", "b", 4), ("a", "c", 1), ("c", "b", 2), ("b", "d", 5), ("c", "d", 8), ("d", "e", 3) };
        var graph = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.ToList());
        var dist = new Dictionary<string, int> { ["a"] = 0 };
        var prev = new Dictionary<string, string>();
        var queue = new PriorityQueue<string, int>();
        queue.Enqueue("a", 0);
        while (queue.TryDequeue(out var node, out int d))
        {
            if (d > dist[node]) continue;
            foreach (var e in graph.GetValueOrDefault(node, []))
                if (!dist.TryGetValue(e.To, out int old) || d + e.Cost < old) { dist[e.To] = d + e.Cost; prev[e.To] = node; queue.Enqueue(e.To, d + e.Cost); }
        }
        Console.WriteLine(string.Join(" ", dist.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
        var path = new Stack<string>();
        for (string? at = "e"; at is not null; at = prev.GetValueOrDefault(at)) path.Push(at);
        Console.WriteLine(string.Join("->", path));
        var visited = new HashSet<string>(); var order = new List<string>(); var bfs = new Queue<string>(["a"]);
        while (bfs.Count > 0) { var n = bfs.Dequeue(); if (!visited.Add(n)) continue; order.Add(n); foreach (var e in graph.GetValueOrDefault(n, [])) bfs.Enqueue(e.To); }
        Console.WriteLine(string.Join(",", order));
    }
}

static class MatrixAndVectors
{
    public static void Run()
    {
        double[,] a = { { 1, 2 }, { 3, 4 } }, b = { { 5, 6 }, { 7, 8 } };
        var c = new double[2, 2];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) c[i, j] += a[i, k] * b[k, j];
        Console.WriteLine($"{c[0, 0]} {c[0, 1]} {c[1, 0]} {c[1, 1]}");
        var v = new Vector3(1, 2, 3);
        Console.WriteLine($"{Vector3.Dot(v, new Vector3(4, 5, 6))} {Vector3.Cross(v, Vector3.UnitX)} {v.Length():F4}");
        var m = Matrix4x4.CreateScale(2) * Matrix4x4.CreateTranslation(1, 0, 0);
        Console.WriteLine(Vector3.Transform(v, m));
        var q = Quaternion.CreateFromAxisAngle(Vector3.UnitZ, MathF.PI / 2);
        var r = Vector3.Transform(Vector3.UnitX, q);
        Console.WriteLine($"{MathF.Round(r.X, 3)} {MathF.Round(r.Y, 3)}");
        int[] ints = Enumerable.Range(1, 64).ToArray();
        var acc = Vector<int>.Zero;
        for (int i = 0; i + Vector<int>.Count <= ints.Length; i += Vector<int>.Count) acc += new Vector<int>(ints, i);
        Console.WriteLine(Vector.Sum(acc));
        var complex = new Complex(1, 2) * new Complex(3, -1);
        Console.WriteLine($"{complex.Real} {complex.Imaginary} {Complex.Abs(new Complex(3, 4))}");
    }
}

static class TextProcessing
{
    const string Text = """
        It was the best of times, it was the worst of times, it was the age of wisdom,
        it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity.
        """;

    public static void Run()
    {
        var words = Text.ToLowerInvariant().Split([' ', ',', '.', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine(words.Length);
        foreach (var (word, count) in words.CountBy(w => w).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(5))
            Console.WriteLine($"{word} {count}");
        Console.WriteLine(string.Join(" ", words.Where(w => w.Length > 6).Distinct().Select(w => char.ToUpperInvariant(w[0]) + w[1..])));
        var letters = Text.Where(char.IsLetter).GroupBy(char.ToLowerInvariant).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Take(3);
        Console.WriteLine(string.Join(",", letters.Select(g => $"{g.Key}{g.Count()}")));
        var lines = Text.Split('\n');
        Console.WriteLine(string.Join("|", lines.Select(l => l.Length)));
        Console.WriteLine(string.Join(" ", "level radar hello noon world".Split(' ').Where(w => w.SequenceEqual(w.Reverse()))));
    }
}

static class BankSimulation
{
    sealed class Account(string owner)
    {
        readonly List<decimal> history = [];
        public string Owner => owner;
        public decimal Balance => history.Sum();
        public void Deposit(decimal amount) { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount); history.Add(amount); }
        public void Withdraw(decimal amount)
        {
            if (amount > Balance) throw new InvalidOperationException($"{owner}: insufficient funds for {amount}");
            history.Add(-amount);
        }
    }

    public static void Run()
    {
        var accounts = new[] { new Account("ann"), new Account("ben") };
        accounts[0].Deposit(100); accounts[1].Deposit(50.25m);
        accounts[0].Withdraw(30.5m);
        try { accounts[1].Withdraw(60); } catch (InvalidOperationException e) { Console.WriteLine(e.Message); }
        try { accounts[1].Deposit(-1); } catch (ArgumentOutOfRangeException e) { Console.WriteLine(e.ParamName); }
        foreach (var a in accounts) Console.WriteLine($"{a.Owner} {a.Balance:F2}");
        Console.WriteLine(accounts.Sum(a => a.Balance));
        ArgumentNullException.ThrowIfNull(accounts);
        try { ArgumentException.ThrowIfNullOrEmpty(""); } catch (ArgumentException e) { Console.WriteLine(e.GetType().Name); }
    }
}
