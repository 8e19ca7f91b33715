using System.Runtime.InteropServices;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// How a NIC's interrupt handler finds its card: the handler is static (a function pointer) and gets back the
/// context it was attached with, which is a GC handle to the driver instance. Looking it up neither allocates nor
/// locks, so it is safe with interrupts disabled; the handle lives as long as the card (for ever: it is not freed even when binding fails, since a handler may
/// already hold it).
/// </summary>
static class InterruptContext
{
    /// <summary>The context to attach a handler of <paramref name="card"/> with.</summary>
    public static nint For(object card) => GCHandle.ToIntPtr(GCHandle.Alloc(card));

    /// <summary>The card a handler was attached for, or null for a context of another type.</summary>
    public static T? Get<T>(nint context) where T : class => GCHandle.FromIntPtr(context).Target as T;
}
