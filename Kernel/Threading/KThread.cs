namespace CosmosNet.Kernel.Threading;

internal enum ThreadState : byte { Ready, Running, Blocked, Dead }

/// <summary>A kernel thread: unmanaged (NativeHeap), so interrupt handlers and the scheduler never touch
/// the object heap. A suspended thread's registers are all on its own stack, between
/// <see cref="SavedRsp"/> and <see cref="StackTop"/> (callee-saved + x87/SSE state from a voluntary
/// switch; the whole TrapFrame too when it was preempted by the timer).</summary>
internal unsafe struct KThread
{
    public ulong SavedRsp;
    public ulong Id;
    public ThreadState State;
    public bool TimedOut;              // the last Block ended by its deadline, not by a Wake
    public KThread* Next;              // ready queue or wait queue link
    public WaitQueue* WaitingOn;
    public KThread* NextSleeper;       // Timers' deadline-ordered list
    public ulong WakeAt;               // monotonic ns; 0 = no deadline
    public KThread* NextInAll;         // every live thread (Scheduler.First)
    public byte* StackBottom, StackTop;
    public byte* TlsBlock;             // thread-statics block (ELF TLS variant II); FsBase points into it
    public ulong TlsBlockSize;
    public ulong FsBase;
    public nint Entry, Argument;       // the start routine: nint Entry(nint argument), unmanaged
    public ulong CpuNanoseconds;       // time spent running
    /// <summary>For the runtime (exception dispatch): its per-thread runtime Thread object, lazily made.</summary>
    public void* RuntimeThread;
    /// <summary>RhGetThreadStaticStorage's slot (non-inlined thread statics): a GC root, initially null.</summary>
    public void* ThreadStaticStorage;
    /// <summary>For the garbage collector's own per-thread record (see Scheduler's hooks).</summary>
    public void* GcThread;
    /// <summary>Thread.Name (ASCII, truncated, NUL-terminated) or the kernel's name for its own threads, for the console.</summary>
    public fixed byte Name[NameCapacity];
    public const int NameCapacity = 24;

    public void SetName(ReadOnlySpan<byte> ascii)
    {
        int n = Math.Min(ascii.Length, NameCapacity - 1);
        for (int i = 0; i < n; i++) Name[i] = ascii[i];
        Name[n] = 0;
    }
}

/// <summary>FIFO of threads (intrusive through <see cref="KThread.Next"/>). Only touched with interrupts
/// disabled.</summary>
internal unsafe struct WaitQueue
{
    public KThread* Head, Tail;

    public bool IsEmpty => Head == null;

    public void Enqueue(KThread* t)
    {
        t->Next = null;
        if (Tail == null) Head = t; else Tail->Next = t;
        Tail = t;
    }

    public KThread* Dequeue()
    {
        KThread* t = Head;
        if (t == null) return null;
        Head = t->Next;
        if (Head == null) Tail = null;
        t->Next = null;
        return t;
    }

    public void Remove(KThread* t)
    {
        KThread* previous = null;
        for (KThread* p = Head; p != null; previous = p, p = p->Next)
        {
            if (p != t) continue;
            if (previous == null) Head = p->Next; else previous->Next = p->Next;
            if (Tail == p) Tail = previous;
            p->Next = null;
            return;
        }
    }
}
