namespace CosmosNet.KernelTests;

static class CollectionTests
{
    public static void ListAddInsertRemove(Check c)
    {
        var list = new List<int> { 1, 2, 3 };
        list.Add(4);
        list.Insert(0, 0);
        list.Remove(2);
        list.RemoveAt(list.Count - 1);
        c.SequenceEqual(new[] { 0, 1, 3 }, list);
        c.Equal(3, list.Count);
        c.True(list.Contains(3));
        c.Equal(-1, list.IndexOf(2));
    }

    public static void ListSortAndBinarySearch(Check c)
    {
        var words = new List<string> { "pear", "apple", "fig", "banana" };
        words.Sort(StringComparer.Ordinal);
        c.SequenceEqual(new[] { "apple", "banana", "fig", "pear" }, words);
        c.Equal(2, words.BinarySearch("fig", StringComparer.Ordinal));
        words.Sort((a, b) => a.Length.CompareTo(b.Length));
        c.Equal("fig", words[0]);
    }

    public static void ListGrowsPastCapacity(Check c)
    {
        var list = new List<long>(2);
        for (int i = 0; i < 10_000; i++) list.Add(i * 3L);
        c.Equal(10_000, list.Count);
        c.True(list.Capacity >= 10_000);
        c.Equal(29_997L, list[^1]);
        long sum = 0;
        foreach (long v in list) sum += v;
        c.Equal(149_985_000L, sum);
    }

    public static void DictionaryAddLookupRemove(Check c)
    {
        var d = new Dictionary<string, int>();
        for (int i = 0; i < 500; i++) d[$"key{i}"] = i * i;
        c.Equal(500, d.Count);
        c.Equal(144, d["key12"]);
        c.True(d.TryGetValue("key499", out int v) && v == 249_001);
        c.True(d.Remove("key0"));
        c.False(d.ContainsKey("key0"));
        c.False(d.TryGetValue("missing", out _));
        c.Equal(499, d.Count);
    }

    readonly struct Point(int x, int y) : IEquatable<Point>
    {
        public int X { get; } = x;
        public int Y { get; } = y;
        public bool Equals(Point other) => X == other.X && Y == other.Y;
        public override bool Equals(object? obj) => obj is Point p && Equals(p);
        public override int GetHashCode() => HashCode.Combine(X, Y);
    }

    public static void DictionaryStructKey(Check c)
    {
        var grid = new Dictionary<Point, char> { [new Point(0, 0)] = 'a', [new Point(1, 2)] = 'b' };
        grid[new Point(1, 2)] = 'c';
        c.Equal(2, grid.Count);
        c.Equal('c', grid[new Point(1, 2)]);
        c.True(grid.ContainsKey(new Point(0, 0)));
        c.False(grid.ContainsKey(new Point(2, 1)));
    }

    public static void DictionaryEnumerates(Check c)
    {
        var d = new Dictionary<int, string> { [3] = "c", [1] = "a", [2] = "b" };
        int keySum = 0;
        string values = "";
        foreach (var (key, value) in d.OrderBy(p => p.Key)) { keySum += key; values += value; }
        c.Equal(6, keySum);
        c.Equal("abc", values);
        c.SequenceEqual(new[] { 1, 2, 3 }, d.Keys.Order());
    }

    public static void HashSetOperations(Check c)
    {
        var a = new HashSet<int> { 1, 2, 3, 4 };
        var b = new HashSet<int> { 3, 4, 5 };
        c.False(a.Add(1));
        var union = new HashSet<int>(a); union.UnionWith(b);
        var intersection = new HashSet<int>(a); intersection.IntersectWith(b);
        var difference = new HashSet<int>(a); difference.ExceptWith(b);
        c.SequenceEqual(new[] { 1, 2, 3, 4, 5 }, union.Order());
        c.SequenceEqual(new[] { 3, 4 }, intersection.Order());
        c.SequenceEqual(new[] { 1, 2 }, difference.Order());
        c.True(intersection.IsSubsetOf(a));
    }

    public static void QueueAndStack(Check c)
    {
        var queue = new Queue<string>();
        queue.Enqueue("first"); queue.Enqueue("second"); queue.Enqueue("third");
        c.Equal("first", queue.Dequeue());
        c.Equal("second", queue.Peek());
        var stack = new Stack<int>(new[] { 1, 2, 3 });
        c.Equal(3, stack.Pop());
        c.Equal(2, stack.Peek());
        c.Equal(2, stack.Count);
        var pq = new PriorityQueue<string, int>();
        pq.Enqueue("low", 5); pq.Enqueue("high", 1); pq.Enqueue("mid", 3);
        c.Equal("high", pq.Dequeue());
        c.Equal("mid", pq.Dequeue());
    }

    public static void SortedDictionaryOrder(Check c)
    {
        var sorted = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["delta"] = 4, ["alpha"] = 1, ["charlie"] = 3, ["bravo"] = 2 };
        c.SequenceEqual(new[] { "alpha", "bravo", "charlie", "delta" }, sorted.Keys);
        var sortedSet = new SortedSet<int> { 9, 1, 5, 3 };
        c.Equal(1, sortedSet.Min);
        c.Equal(9, sortedSet.Max);
    }

    public static void ArraySortReverse(Check c)
    {
        int[] numbers = [42, 7, 19, 3, 88, 1];
        Array.Sort(numbers);
        c.SequenceEqual(new[] { 1, 3, 7, 19, 42, 88 }, numbers);
        Array.Reverse(numbers);
        c.Equal(88, numbers[0]);
        c.Equal(4, Array.IndexOf(numbers, 3));
        c.Equal(3, Array.BinarySearch(new[] { 1, 3, 7, 19, 42 }, 19));
        var resized = numbers;
        Array.Resize(ref resized, 8);
        c.Equal(8, resized.Length);
        c.Equal(0, resized[7]);
    }

    public static void MultidimensionalAndJagged(Check c)
    {
        var matrix = new int[3, 4];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) matrix[i, j] = i * 10 + j;
        c.Equal(12, matrix.Length);
        c.Equal(23, matrix[2, 3]);
        c.Equal(4, matrix.GetLength(1));
        int[][] jagged = [[1], [2, 3], [4, 5, 6]];
        c.Equal(6, jagged[2][2]);
        c.Equal(6, jagged.Sum(row => row.Length));
    }

    public static void ArrayCovarianceAndCopy(Check c)
    {
        string[] strings = ["a", "b", "c"];
        object[] objects = strings;
        c.Equal("b", (string)objects[1]);
        var copy = new string[5];
        Array.Copy(strings, 0, copy, 2, 3);
        c.SequenceEqual(new string?[] { null, null, "a", "b", "c" }, copy);
        var clone = (string[])strings.Clone();
        c.False(ReferenceEquals(clone, strings));
        c.SequenceEqual(strings, clone);
    }
}
