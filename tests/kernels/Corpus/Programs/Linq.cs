namespace CosmosNet.Corpus;

record Employee(string Name, string Team, int Age, decimal Salary);

static class Staff
{
    public static readonly Employee[] All =
    [
        new("ada", "core", 36, 9100m), new("bob", "web", 29, 6400m), new("cy", "core", 41, 8800m),
        new("dee", "ops", 33, 7000m), new("eve", "web", 29, 7100m), new("fay", "ops", 52, 9900m),
        new("gus", "core", 29, 6400m), new("hal", "web", 45, 8300m),
    ];
}

/// <summary>Ordering chains: OrderByDescending/ThenBy with a comparer are generic virtual methods resolved at run time.</summary>
static class LinqOrdering
{
    public static void Run()
    {
        foreach (var e in Staff.All.OrderByDescending(e => e.Age).ThenBy(e => e.Name, StringComparer.Ordinal).ToList())
            Console.WriteLine($"{e.Age} {e.Name}");
        Console.WriteLine(string.Join(",", Staff.All.OrderBy(e => e.Team, StringComparer.Ordinal).ThenByDescending(e => e.Salary).Select(e => e.Name)));
        Console.WriteLine(string.Join(",", Staff.All.Select(e => e.Age).Order().Distinct()));
        Console.WriteLine(string.Join(",", new[] { 5, 3, 9, 1 }.OrderDescending()));
        Console.WriteLine(Staff.All.OrderBy(e => e.Salary).ThenBy(e => e.Age).First().Name);
    }
}

static class LinqGrouping
{
    public static void Run()
    {
        foreach (var g in Staff.All.GroupBy(e => e.Team).OrderBy(g => g.Key, StringComparer.Ordinal))
            Console.WriteLine($"{g.Key}: n={g.Count()} avg={g.Average(e => e.Age):F2} total={g.Sum(e => e.Salary)} oldest={g.MaxBy(e => e.Age)!.Name}");
        var byAge = Staff.All.ToLookup(e => e.Age);
        Console.WriteLine($"29: {string.Join("/", byAge[29].Select(e => e.Name))}; 30: {byAge[30].Count()}");
        foreach (var (team, count) in Staff.All.CountBy(e => e.Team)) Console.WriteLine($"{team}={count}");
        foreach (var (team, sum) in Staff.All.AggregateBy(e => e.Team, 0m, (acc, e) => acc + e.Salary)) Console.WriteLine($"{team}:{sum}");
    }
}

static class LinqJoin
{
    record Team(string Id, string Floor);

    public static void Run()
    {
        Team[] teams = [new("core", "3"), new("web", "2"), new("qa", "1")];
        var joined = from e in Staff.All
                     join t in teams on e.Team equals t.Id
                     orderby t.Floor, e.Name
                     select $"{e.Name}@{t.Floor}";
        Console.WriteLine(string.Join(" ", joined));
        var grouped = teams.GroupJoin(Staff.All, t => t.Id, e => e.Team, (t, es) => $"{t.Id}:{es.Count()}");
        Console.WriteLine(string.Join(" ", grouped));
        var left = from t in teams
                   join e in Staff.All on t.Id equals e.Team into members
                   from m in members.DefaultIfEmpty()
                   select $"{t.Id}-{m?.Name ?? "none"}";
        Console.WriteLine(string.Join(" ", left));
    }
}

static class LinqSetsAndPaging
{
    public static void Run()
    {
        int[] a = [1, 2, 3, 4, 5, 6], b = [4, 5, 6, 7, 8];
        Console.WriteLine(string.Join(",", a.Union(b)));
        Console.WriteLine(string.Join(",", a.Intersect(b)));
        Console.WriteLine(string.Join(",", a.Except(b)));
        Console.WriteLine(string.Join(",", a.Chunk(4).Select(c => c.Sum())));
        Console.WriteLine(string.Join(",", a.Skip(1).Take(3).Reverse()));
        Console.WriteLine(string.Join(",", a.Zip(b, (x, y) => x * y)));
        Console.WriteLine(string.Join(",", Enumerable.Range(1, 20).Where(i => i % 3 == 0).SkipWhile(i => i < 7).TakeWhile(i => i < 19)));
        Console.WriteLine(string.Join(",", a.DistinctBy(x => x % 3)));
        Console.WriteLine(a.Aggregate((x, y) => x * y));
        Console.WriteLine($"{a.Any(x => x > 5)} {a.All(x => x > 0)} {a.Contains(9)} {a.SequenceEqual([1, 2, 3, 4, 5, 6])}");
        Console.WriteLine(string.Join(",", a.Select((x, i) => x * i).Index().Where(p => p.Index % 2 == 0).Select(p => p.Item)));
    }
}

static class LinqQuerySyntax
{
    public static void Run()
    {
        var words = "the quick brown fox jumps over the lazy dog again and again".Split(' ');
        var q = from w in words
                group w by w.Length into g
                where g.Count() > 1
                orderby g.Key descending
                select new { Length = g.Key, Words = string.Join("|", g.Distinct().OrderBy(x => x, StringComparer.Ordinal)) };
        foreach (var x in q) Console.WriteLine($"{x.Length}: {x.Words}");
        var pairs = from x in Enumerable.Range(1, 4) from y in Enumerable.Range(x, 3) where (x + y) % 2 == 0 let p = x * y select p;
        Console.WriteLine(string.Join(" ", pairs));
        var dict = words.Distinct().ToDictionary(w => w, w => w.Count(c => "aeiou".Contains(c)));
        Console.WriteLine(string.Join(",", dict.Where(kv => kv.Value >= 2).Select(kv => kv.Key)));
    }
}
