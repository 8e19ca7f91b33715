namespace CosmosNet.KernelTests;

static class LinqTests
{
    public static void WhereSelectOrderBy(Check c)
    {
        int[] numbers = [9, 4, 7, 2, 8, 1];
        var result = numbers.Where(n => n % 2 == 0).Select(n => n * n).OrderByDescending(n => n).ToList();
        c.SequenceEqual(new[] { 64, 16, 4 }, result);
        c.Equal(31, numbers.Sum());
        c.Equal(1, numbers.Min());
        c.Equal(31 / 6.0, numbers.Average());
        c.True(numbers.Any(n => n > 8));
        c.False(numbers.All(n => n > 1));
        c.Equal(7, numbers.First(n => n > 4 && n < 8));
    }

    public static void GroupByAggregate(Check c)
    {
        string[] words = ["apple", "avocado", "banana", "blueberry", "cherry"];
        var groups = words.GroupBy(w => w[0]).Select(g => $"{g.Key}:{g.Count()}").ToArray();
        c.SequenceEqual(new[] { "a:2", "b:2", "c:1" }, groups);
        c.Equal(120, Enumerable.Range(1, 5).Aggregate((a, b) => a * b));
        c.Equal("apple,avocado,banana,blueberry,cherry", words.Aggregate((a, b) => a + "," + b));
        c.Equal(9, words.Max(w => w.Length));
    }

    public static void ZipDistinctSkipTake(Check c)
    {
        var pairs = new[] { 1, 2, 3 }.Zip(new[] { "one", "two", "three" }, (n, s) => $"{n}={s}").ToArray();
        c.SequenceEqual(new[] { "1=one", "2=two", "3=three" }, pairs);
        c.SequenceEqual(new[] { 3, 1, 2 }, new[] { 3, 1, 3, 2, 1 }.Distinct());
        c.SequenceEqual(new[] { 30, 40 }, Enumerable.Range(1, 10).Select(i => i * 10).Skip(2).Take(2));
        c.SequenceEqual(new[] { 1, 2, 3, 4 }, new[] { 1, 2 }.Concat(new[] { 3, 4 }));
        c.SequenceEqual(new[] { "b", "a" }, new[] { "a", "b" }.Reverse());
    }

    public static void ToDictionaryAndLookup(Check c)
    {
        var people = new[] { (Name: "Ada", Year: 1815), (Name: "Alan", Year: 1912), (Name: "Grace", Year: 1906) };
        var byName = people.ToDictionary(p => p.Name, p => p.Year);
        c.Equal(1912, byName["Alan"]);
        var byCentury = people.ToLookup(p => p.Year / 100 + 1);
        c.Equal(1, byCentury[19].Count());
        c.Equal(2, byCentury[20].Count());
        c.SequenceEqual(new[] { "Ada", "Grace", "Alan" }, people.OrderBy(p => p.Year).Select(p => p.Name));
    }
}
