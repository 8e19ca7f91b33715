using System.Runtime.CompilerServices;
using CosmosNet.Kernel;

namespace CosmosNet.KernelTests;

/// <summary>The incremental collector: cycles run in short pauses between allocations, and the mutator
/// may rewire the heap while a cycle marks. The kernel runs with GcDiagnostics.VerifyEveryCycle, so every
/// cycle ends with a second, stop-the-world trace that halts the kernel if the marking missed a reachable
/// object; these tests make that happen as often and as adversarially as they can.</summary>
static class IncrementalTests
{
    sealed class Cell
    {
        public int Id;
        public Cell? Left, Right;
        public object? Payload;
        public Cell(int id) { Id = id; Payload = "cell-" + id; }
    }

    struct Pair { public object? A; public long Tag; public object? B; }

    /// <summary>Allocation alone drives cycles: the pauses are starts, marking steps, terminations and
    /// sweep steps, never a stop-the-world collection, and the verifier checked every cycle.</summary>
    public static void CyclesRunInPiecesBetweenAllocations(Check c)
    {
        var live = TreeNode.Build(14, 1);             // ~1.5 MiB that every cycle must mark
        long sum = live.Sum();
        Gc.Full();
        var before = Enum.GetValues<GcDiagnostics.PauseKind>().Select(GcDiagnostics.TotalsOf).ToArray();
        long verifiedBefore = GcDiagnostics.VerifiedCycles;
        int collectionsBefore = GC.CollectionCount(0);
        int sawMarking = 0;
        while (GC.CollectionCount(0) - collectionsBefore < 4)
        {
            Churn(200);
            if (GcDiagnostics.Marking) sawMarking++;
        }
        long Count(GcDiagnostics.PauseKind kind) => GcDiagnostics.TotalsOf(kind).Count - before[(int)kind].Count;
        string kinds = string.Join(", ", Enum.GetValues<GcDiagnostics.PauseKind>().Select(k => $"{k} {Count(k)}"));
        c.True(Count(GcDiagnostics.PauseKind.Start) >= 3, kinds);
        c.True(Count(GcDiagnostics.PauseKind.Terminate) >= 3, kinds);
        c.True(Count(GcDiagnostics.PauseKind.Mark) > Count(GcDiagnostics.PauseKind.Start), kinds);
        c.True(Count(GcDiagnostics.PauseKind.Sweep) > 0, kinds);
        c.Equal(0L, Count(GcDiagnostics.PauseKind.Full));
        c.True(sawMarking > 0, "the mutator never ran while a cycle was marking");
        c.True(GcDiagnostics.VerifiedCycles - verifiedBefore >= 4, $"{GcDiagnostics.VerifiedCycles - verifiedBefore} cycles verified");
        c.Equal(sum, live.Sum());
        var info = GC.GetGCMemoryInfo();
        c.True(info.Concurrent, "the last collection is not reported as concurrent");
        c.True(info.PauseDurations[0] > TimeSpan.Zero && info.PauseDurations[1] > TimeSpan.Zero);
        c.True(GC.GetTotalPauseDuration() > TimeSpan.Zero);
    }

    /// <summary>While cycles mark, references move between objects every way C# can move them: field
    /// stores after the only other copy was cleared, Array.Clear and Array.Copy, List insert/remove,
    /// Interlocked.Exchange/CompareExchange, structs holding references copied into arrays, dictionary
    /// rehashing. Every cell must stay reachable and intact.</summary>
    public static void MutatorRewiresTheGraphWhileMarking(Check c)
    {
        const int Cells = 3000;
        var cells = new Cell?[Cells];
        for (int i = 0; i < Cells; i++) cells[i] = new Cell(i);
        var holders = new Cell[64];
        for (int i = 0; i < holders.Length; i++) holders[i] = new Cell(-1 - i);
        var list = new List<Cell>();
        var pairs = new Pair[256];
        var map = new Dictionary<int, Cell>();
        var random = new Random(7);
        int collectionsBefore = GC.CollectionCount(0), rounds = 0, whileMarking = 0;

        while (GC.CollectionCount(0) - collectionsBefore < 6)
        {
            rounds++;
            if (GcDiagnostics.Marking) whileMarking++;
            // 1. Take a cell out of the array (its only reference), clear the slot, hang it on a holder.
            int i = random.Next(Cells);
            Cell? taken = cells[i];
            cells[i] = null;
            Churn(20);
            if (taken != null)
            {
                Cell holder = holders[random.Next(holders.Length)];
                Cell? previous = holder.Left;
                holder.Left = taken;
                if (previous != null) Put(cells, list, previous);
            }
            // 2. Interlocked: swap a holder's Right with a fresh cell, put the old one back into the array.
            Cell old = Interlocked.Exchange(ref holders[random.Next(holders.Length)].Right, new Cell(Cells + rounds))!;
            if (old != null) Put(cells, list, old);
            Cell h = holders[random.Next(holders.Length)];
            Cell? seen = h.Right;
            if (seen != null && Interlocked.CompareExchange(ref h.Right, null, seen) == seen) list.Add(seen);
            // 3. Lists shift elements with Array.Copy; removal hands the element to the array.
            if (list.Count > 50) { Cell moved = list[0]; list.RemoveAt(0); Put(cells, list, moved); }
            // 4. Structs with references, copied into and out of arrays.
            int p = random.Next(pairs.Length);
            if (pairs[p].A is Cell pa) { pairs[p] = default; Put(cells, list, pa); }
            pairs[p] = new Pair { A = new Cell(-rounds), Tag = rounds, B = "pair-" + rounds };
            Array.Copy(pairs, 0, pairs, 1, pairs.Length - 1);
            // 5. Dictionary grows and rehashes its entries arrays.
            map[rounds] = new Cell(rounds);
            if (map.Count > 500) { map.Clear(); map.TrimExcess(); }
            // 6. Array.Clear after copying the array's references elsewhere.
            if (rounds % 97 == 0)
            {
                var copy = new Cell?[16];
                Array.Copy(cells, 0, copy, 0, 16);
                Array.Clear(cells, 0, 16);
                Churn(50);
                Array.Copy(copy, 0, cells, 0, 16);
            }
        }

        // Every cell ever created in step 1 is still reachable from the array, the holders or the list,
        // with its payload intact.
        var visited = new HashSet<Cell>(ReferenceEqualityComparer.Instance);
        var reachable = new HashSet<int>();
        bool intact = true;
        void Walk(Cell? cell)
        {
            var stack = new Stack<Cell>();
            if (cell != null) stack.Push(cell);
            while (stack.Count > 0)
            {
                Cell x = stack.Pop();
                if (!visited.Add(x)) continue;
                reachable.Add(x.Id);
                intact &= x.Payload is string s && s == "cell-" + x.Id;
                if (x.Left != null) stack.Push(x.Left);
                if (x.Right != null) stack.Push(x.Right);
            }
        }
        foreach (var cell in cells) Walk(cell);
        foreach (var holder in holders) Walk(holder);
        foreach (var cell in list) Walk(cell);
        bool allOriginals = true;
        for (int id = 0; id < Cells; id++) allOriginals &= reachable.Contains(id);
        bool pairsOk = pairs.All(pair => pair.A == null || (pair.A is Cell pc && pc.Payload is string ps && ps == "cell-" + pc.Id && pair.B is string));
        c.True(allOriginals, "a cell was lost");
        c.True(intact, "a cell's payload changed");
        c.True(pairsOk);
        c.True(whileMarking > 0, $"no round ran while marking ({rounds} rounds)");
    }

    static void Put(Cell?[] cells, List<Cell> list, Cell cell)
    {
        for (int i = 0; i < cells.Length; i++)
            if (cells[i] == null) { cells[i] = cell; return; }
        list.Add(cell);
    }

    /// <summary>A weak reference read while a cycle marks gives the mutator a strong reference to an
    /// object nothing else holds; it must survive the cycle's end.</summary>
    public static void WeakTargetsReadWhileMarkingSurvive(Check c)
    {
        var weak = new List<WeakReference<Cell>>();
        var rescued = new List<Cell>();
        int collectionsBefore = GC.CollectionCount(0), id = 0, whileMarking = 0;
        while (GC.CollectionCount(0) - collectionsBefore < 4)
        {
            for (int i = 0; i < 20; i++) weak.Add(new WeakReference<Cell>(new Cell(id++)));
            Churn(20);
            if (GcDiagnostics.Marking)
            {
                whileMarking++;
                foreach (var w in weak) if (w.TryGetTarget(out var cell)) rescued.Add(cell);
                weak.Clear();
            }
            if (weak.Count > 2000) weak.RemoveRange(0, 1000);
        }
        bool intact = rescued.All(cell => cell.Payload is string s && s == "cell-" + cell.Id);
        c.True(whileMarking > 0);
        c.True(rescued.Count > 0, "no weak target was read while marking");
        c.True(intact, "a rescued object was freed and reused");
    }

    /// <summary>A program that stops allocating and waits: the CPU would be idle, so the collector finishes
    /// the cycle in progress then, instead of leaving it (and its barriers) on until the next allocation.</summary>
    public static void IdleTimeFinishesTheCycle(Check c)
    {
        var live = TreeNode.Build(12, 1);
        int guard = 0;
        while (!GcDiagnostics.Marking && guard++ < 100_000) Churn(5);
        c.True(GcDiagnostics.Marking, "no cycle started");
        int collections = GC.CollectionCount(0);
        Thread.Sleep(300);
        c.False(GcDiagnostics.Marking);
        c.Equal(collections + 1, GC.CollectionCount(0));
        GC.KeepAlive(live);
    }

    /// <summary>GC.Collect while a cycle marks finishes that cycle and makes a full one, counted once; after
    /// it, dropped objects are gone.</summary>
    public static void CollectWhileMarkingIsOneFullCollection(Check c)
    {
        int guard = 0;
        while (!GcDiagnostics.Marking && guard++ < 100_000) Churn(5);
        c.True(GcDiagnostics.Marking, "no cycle started");
        var weak = MakeGarbageWeak();
        int before = GC.CollectionCount(0);
        GC.Collect();
        c.Equal(before + 1, GC.CollectionCount(0));
        c.False(GcDiagnostics.Marking);
        Gc.Full();
        c.False(weak.TryGetTarget(out _));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference<Cell> MakeGarbageWeak() => new(new Cell(12345));

    /// <summary>Garbage: small objects, strings and arrays.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Churn(int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            GC.KeepAlive(new Cell(i));
            GC.KeepAlive(new byte[200 + i % 300]);
            GC.KeepAlive(i.ToString());
        }
    }
}
