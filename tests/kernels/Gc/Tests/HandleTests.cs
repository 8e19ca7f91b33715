using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DependentHandle = System.Runtime.DependentHandle;

namespace CosmosNet.KernelTests;

/// <summary>GC handles of every kind CoreLib uses, ConditionalWeakTable, and pinning.</summary>
static class HandleTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static GCHandle NewHandle(GCHandleType type, int value) => GCHandle.Alloc(new Node(value, null), type);

    public static void NormalHandleKeepsTargetAlive(Check c)
    {
        var handle = NewHandle(GCHandleType.Normal, 11);
        Gc.Full();
        c.Equal(11, ((Node)handle.Target!).Value);
        handle.Free();
    }

    public static void WeakHandleClearedWhenTargetDies(Check c)
    {
        var handle = NewHandle(GCHandleType.Weak, 12);
        Gc.Full();
        c.True(handle.Target is null);
        handle.Free();
    }

    public static void FreedNormalHandleNoLongerRoots(Check c)
    {
        var strong = NewHandle(GCHandleType.Normal, 13);
        var weak = GCHandle.Alloc(strong.Target, GCHandleType.Weak);
        strong.Free();
        Gc.Full();
        c.True(weak.Target is null);
        weak.Free();
    }

    sealed class Phoenix
    {
        public static Phoenix? Saved;
        public int Value = 77;
        ~Phoenix() { Saved = this; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static (GCHandle Short, GCHandle Long) NewPhoenixHandles()
    {
        var p = new Phoenix();
        return (GCHandle.Alloc(p, GCHandleType.Weak), GCHandle.Alloc(p, GCHandleType.WeakTrackResurrection));
    }

    public static void TrackResurrectionHandleSeesResurrectedObject(Check c)
    {
        Phoenix.Saved = null;
        var (shortWeak, longWeak) = NewPhoenixHandles();
        Gc.ScrubStack();
        GC.Collect();                 // queues the finalizer
        GC.WaitForPendingFinalizers();   // which the finalizer thread has run when this returns
        c.True(shortWeak.Target is null);
        c.True(longWeak.Target is Phoenix);
        c.True(Phoenix.Saved is not null && Phoenix.Saved.Value == 77);
        c.True(ReferenceEquals(Phoenix.Saved, longWeak.Target));
        Phoenix.Saved = null;
        Gc.Full();
        c.True(longWeak.Target is null);
        shortWeak.Free();
        longWeak.Free();
    }

    public static void PinnedHandleAddressIsStable(Check c)
    {
        var buffer = Gc.Filled(3, 4096);
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        nint address = handle.AddrOfPinnedObject();
        for (int i = 0; i < 3; i++) { Churn(2); Gc.Full(); }
        c.Equal(address, handle.AddrOfPinnedObject());
        c.True(Gc.Intact(buffer, 3));
        unsafe { c.Equal((byte)Gc.Pattern(3, 100), ((byte*)address)[100]); }
        handle.Free();
    }

    public static unsafe void PinnedArrayAllocationDoesNotMove(Check c)
    {
        byte[] pinned = GC.AllocateArray<byte>(10_000, pinned: true);
        for (int i = 0; i < pinned.Length; i++) pinned[i] = (byte)i;
        byte* before = (byte*)Unsafe.AsPointer(ref pinned[0]);
        for (int i = 0; i < 3; i++) { Churn(2); Gc.Full(); }
        c.True(before == (byte*)Unsafe.AsPointer(ref pinned[0]));
        c.Equal((byte)(9999 & 0xFF), before[9999]);
        var uninit = GC.AllocateUninitializedArray<int>(50_000, pinned: true);
        c.Equal(50_000, uninit.Length);
    }

    public static unsafe void FixedBufferDoesNotMove(Check c)
    {
        var data = new int[1000];
        fixed (int* p = data)
        {
            for (int i = 0; i < 1000; i++) p[i] = i * i;
            Churn(2);
            Gc.Full();
            c.True(p == (int*)Unsafe.AsPointer(ref data[0]));
            c.Equal(998_001, p[999]);
        }
    }

    public static void DependentHandleKeepsSecondaryWhilePrimaryLives(Check c)
    {
        var primary = new Node(1, null);
        var dependent = MakeDependent(primary, out var weakSecondary);
        Gc.Full();
        c.True(weakSecondary.IsAlive);
        c.Equal(2, ((Node)dependent.Dependent!).Value);
        GC.KeepAlive(primary);
        dependent.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static DependentHandle MakeDependent(object primary, out WeakReference weakSecondary)
    {
        var secondary = new Node(2, null);
        weakSecondary = new WeakReference(secondary);
        return new DependentHandle(primary, secondary);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static DependentHandle MakeOrphanDependent(out WeakReference weakSecondary) => MakeDependent(new Node(9, null), out weakSecondary);

    public static void DependentHandleClearedWhenPrimaryDies(Check c)
    {
        var dependent = MakeOrphanDependent(out var weakSecondary);
        Gc.Full();
        c.True(dependent.Target is null);
        c.True(dependent.Dependent is null);
        c.False(weakSecondary.IsAlive);
        dependent.Dispose();
    }

    public static void DependentHandlesChain(Check c)
    {
        // a -> b and b -> c only through dependent handles: rooting a keeps c.
        var a = new Node(1, null);
        var (ab, bc, weakC) = MakeChain(a);
        Gc.Full();
        c.True(weakC.IsAlive);
        c.Equal(3, ((Node)bc.Dependent!).Value);
        GC.KeepAlive(a);
        ab.Dispose(); bc.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static (DependentHandle, DependentHandle, WeakReference) MakeChain(object a)
    {
        var b = new Node(2, null);
        var cNode = new Node(3, null);
        return (new DependentHandle(a, b), new DependentHandle(b, cNode), new WeakReference(cNode));
    }

    static readonly ConditionalWeakTable<object, Node> s_table = new();

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference AttachValue(object key, int value)
    {
        var v = new Node(value, null);
        s_table.Add(key, v);
        return new WeakReference(v);
    }

    public static void ConditionalWeakTableValueLivesWithKey(Check c)
    {
        var key = new object();
        var weakValue = AttachValue(key, 21);
        Gc.Full();
        c.True(weakValue.IsAlive);
        c.True(s_table.TryGetValue(key, out var v) && v.Value == 21);
        GC.KeepAlive(key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference AttachToGarbageKey() => AttachValue(new object(), 22);

    public static void ConditionalWeakTableValueDiesWithKey(Check c)
    {
        var weakValue = AttachToGarbageKey();
        Gc.Full();
        c.False(weakValue.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Churn(int megabytes)
    {
        for (int i = 0; i < megabytes * 64; i++) GC.KeepAlive(new byte[16 * 1024 - 24]);
    }
}
