using System.Runtime.Intrinsics.X86;
using CosmosNet.Kernel.Hal;

namespace CosmosNet.Drivers.Virtio;

/// <summary>
/// A split virtqueue (virtio 1.x §2.7): descriptor table, driver ("available") ring and device ("used") ring in
/// zeroed, identity-mapped pages. The queue only moves descriptor ids; what a descriptor points at is the driver's
/// business. With <c>VIRTIO_F_EVENT_IDX</c> both sides say which index they next want to hear about, so a doorbell
/// (under TCG: a synchronous run of device code) is rung only when the device is waiting for one, and an interrupt
/// comes once per <see cref="EnableInterrupt"/>. Both rest on a store-load fence (<see cref="StoreLoadFence"/>): we
/// publish an index, then read what the device asked for, while the device does the same the other way round; without
/// the fence each side can miss the other's store and both wait, a queue silent for good. Single-threaded: the
/// network loop owns it.
/// </summary>
public sealed unsafe class Virtqueue
{
    const ushort DescriptorNext = 1, DescriptorWrite = 2;
    const ushort AvailNoInterrupt = 1, UsedNoNotify = 1;

    struct Descriptor { public ulong Address; public uint Length; public ushort Flags; public ushort Next; }
#pragma warning disable CS0649 // written by the device
    struct UsedElement { public uint Id; public uint Length; }
#pragma warning restore CS0649

    readonly Descriptor* _descriptors;
    readonly ushort* _avail;          // flags, idx, ring[Size], used_event
    readonly ushort* _used;           // flags, idx, then ring[Size] of UsedElement, then avail_event
    readonly UsedElement* _usedRing;
    readonly ushort* _doorbell;
    readonly bool _eventIdx;
    ushort _availIdx, _lastKickIdx, _lastUsed, _usedAtLastLook, _availAtLastLook;

    public ushort Index { get; }
    public ushort Size { get; }
    public ulong Notifications { get; private set; }

    /// <summary>Physical addresses to program into the device (queue_desc, queue_driver, queue_device).</summary>
    public ulong DescriptorTable => (ulong)_descriptors;
    public ulong DriverRing => (ulong)_avail;
    public ulong DeviceRing => (ulong)_used;

    /// <param name="size">A power of two, at most 32768.</param>
    /// <param name="doorbell">The queue's notify address (identity-mapped MMIO).</param>
    public Virtqueue(ushort index, ushort size, ushort* doorbell, bool eventIdx)
    {
        if (size == 0 || (size & (size - 1)) != 0 || size > 32768) throw new ArgumentOutOfRangeException(nameof(size), "virtqueue size must be a power of two <= 32768");
        Index = index;
        Size = size;
        _doorbell = doorbell;
        _eventIdx = eventIdx;
        ulong descriptorPages = Pages(16UL * size), availPages = Pages(6UL + 2UL * size), usedPages = Pages(6UL + 8UL * size);
        byte* memory = (byte*)DmaMemory.AllocatePages(descriptorPages + availPages + usedPages);
        _descriptors = (Descriptor*)memory;
        _avail = (ushort*)(memory + descriptorPages * 4096);
        _used = (ushort*)(memory + (descriptorPages + availPages) * 4096);
        _usedRing = (UsedElement*)(_used + 2);
    }

    static ulong Pages(ulong bytes) => (bytes + 4095) / 4096;

    /// <summary>Points descriptor <paramref name="id"/> at a buffer; <paramref name="deviceWrites"/> for receive buffers.</summary>
    public void SetDescriptor(ushort id, ulong address, uint length, bool deviceWrites)
    {
        Descriptor* d = _descriptors + id;
        d->Address = address;
        d->Length = length;
        d->Flags = deviceWrites ? DescriptorWrite : (ushort)0;
        d->Next = 0;
    }

    public void SetLength(ushort id, uint length) => _descriptors[id].Length = length;

    /// <summary>Makes descriptor <paramref name="id"/> continue in <paramref name="next"/> (one buffer of a chain: only
    /// the chain's first id is published and comes back used).</summary>
    public void Chain(ushort id, ushort next)
    {
        _descriptors[id].Flags |= DescriptorNext;
        _descriptors[id].Next = next;
    }

    /// <summary>Ends the chain at descriptor <paramref name="id"/> again.</summary>
    public void Unchain(ushort id)
    {
        _descriptors[id].Flags &= unchecked((ushort)~DescriptorNext);
        _descriptors[id].Next = 0;
    }

    /// <summary>Offers descriptor <paramref name="id"/> to the device (visible at once; the doorbell is <see cref="Kick"/>).</summary>
    public void Publish(ushort id)
    {
        _avail[2 + (_availIdx & (Size - 1))] = id;
        _availIdx++;
        Volatile.Write(ref _avail[1], _availIdx);   // x86 keeps stores in order: the entry is visible first
    }

    /// <summary>Rings the doorbell if the device asked to hear about what was published since the last kick.</summary>
    public void Kick()
    {
        if (_availIdx == _lastKickIdx) return;
        StoreLoadFence();                            // our idx store before reading what the device wants
        bool notify;
        if (_eventIdx)
        {
            ushort wanted = Volatile.Read(ref _used[2 + 4 * Size]);   // avail_event
            notify = (ushort)(_availIdx - wanted - 1) < (ushort)(_availIdx - _lastKickIdx);
        }
        else notify = (Volatile.Read(ref _used[0]) & UsedNoNotify) == 0;
        _lastKickIdx = _availIdx;
        if (notify) { Mmio.Write16((byte*)_doorbell, Index); Notifications++; }
    }

    /// <summary>Whether buffers already waited on the device at the previous call and it has used none since: what a
    /// lost doorbell looks like from here. Meant to be asked at long intervals (a second).</summary>
    public bool Stalled()
    {
        ushort used = Volatile.Read(ref _used[1]);
        bool stalled = used == _usedAtLastLook && _usedAtLastLook != _availAtLastLook;
        _usedAtLastLook = used;
        _availAtLastLook = _availIdx;
        return stalled;
    }

    /// <summary>Rings the doorbell whatever the device asked for (suppression only saves doorbells: a device handles one
    /// it did not ask for).</summary>
    public void Notify()
    {
        _lastKickIdx = _availIdx;
        Mmio.Write16((byte*)_doorbell, Index);
        Notifications++;
    }

    /// <summary>Takes the next buffer the device has finished with.</summary>
    public bool TryTakeUsed(out uint id, out uint length)
    {
        if (_lastUsed == Volatile.Read(ref _used[1])) { id = 0; length = 0; return false; }
        UsedElement* e = _usedRing + (_lastUsed & (Size - 1));   // x86 loads are ordered after the idx load
        id = e->Id;
        length = e->Length;
        _lastUsed++;
        return true;
    }

    public bool HasUsed => _lastUsed != Volatile.Read(ref _used[1]);

    /// <summary>Asks for one interrupt when the next buffer is used, or with EVENT_IDX when <paramref name="after"/>
    /// more are (without it, any used buffer interrupts). Returns false when they already were (the caller takes them
    /// instead of waiting for an interrupt that may have been skipped).</summary>
    public bool EnableInterrupt(ushort after = 1)
    {
        if (after == 0) throw new ArgumentOutOfRangeException(nameof(after));
        if (_eventIdx) Volatile.Write(ref _avail[2 + Size], (ushort)(_lastUsed + after - 1));   // used_event
        else Volatile.Write(ref _avail[0], 0);
        StoreLoadFence();                            // the request visible before we look at the used index
        ushort used = (ushort)(Volatile.Read(ref _used[1]) - _lastUsed);
        return _eventIdx ? used < after : used == 0;
    }

    /// <summary>
    /// Orders our stores before our following loads, as seen by the device. On hardware and under KVM the locked
    /// instruction does it. QEMU's TCG before 8.1 (Debian 12 ships 7.2) translates a single-CPU guest's fences and
    /// locked instructions into no host fence at all (tcg_gen_mb without CF_PARALLEL), yet the device runs on QEMU's
    /// main-loop thread, in parallel: the host CPU may hold our store in its store buffer past the load, the classic
    /// lost wake-up. <c>pause</c> leaves translated code through QEMU's CPU loop, which takes QEMU's global lock, a
    /// locked host instruction; on hardware it is a spin-wait hint of a few dozen cycles.
    /// </summary>
    static void StoreLoadFence()
    {
        Interlocked.MemoryBarrier();
        X86Base.Pause();
    }

    /// <summary>Buffers offered to the device and not yet taken back.</summary>
    public ushort Outstanding => (ushort)(_availIdx - _lastUsed);

    /// <summary>No interrupts for this queue (as good as it gets with EVENT_IDX: the next one is 65535 buffers away).</summary>
    public void DisableInterrupt()
    {
        if (_eventIdx) Volatile.Write(ref _avail[2 + Size], (ushort)(_lastUsed - 1));
        else Volatile.Write(ref _avail[0], AvailNoInterrupt);
    }
}
