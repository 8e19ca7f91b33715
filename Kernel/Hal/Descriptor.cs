using CosmosNet.Kernel.Runtime.SystemNative;

namespace CosmosNet.Kernel.Hal;

/// <summary>
/// An open object behind a file descriptor that lives outside the kernel: the host layer's sockets. It shares the
/// descriptor table with the kernel's files, so close(2), read(2), write(2), poll(2) and fcntl's O_NONBLOCK — which
/// CoreLib calls with the descriptor alone — reach it. Return values follow the syscalls: a count, or a negative
/// Linux errno.
/// </summary>
public abstract class Descriptor
{
    /// <summary>O_NONBLOCK: calls that would wait fail with EAGAIN instead.</summary>
    public bool NonBlocking { get; set; }

    /// <summary>What poll(2) would report now.</summary>
    public abstract PollEvents Readiness { get; }

    public abstract int Read(Span<byte> buffer);
    public abstract int Write(ReadOnlySpan<byte> buffer);

    /// <summary>The last descriptor referring to it was closed. Returns 0 or a negative errno.</summary>
    public abstract int Close();

    /// <summary>Installs <paramref name="descriptor"/> at the lowest free descriptor number; a negative errno (EMFILE) when none is free.</summary>
    public static int Open(Descriptor descriptor) => FileCalls.Install(descriptor);

    /// <summary>The object behind <paramref name="fd"/>, or null when <paramref name="fd"/> is not open or is a kernel file.</summary>
    public static Descriptor? Find(nint fd) => FileCalls.Find(fd);

    /// <summary>.NET's PAL error code (Interop.Error) for a Linux errno: what the SystemNative_* socket calls return.</summary>
    public static int ToPalError(int errno) => Runtime.Files.Errno.ToPal(errno);

    /// <summary>Something's readiness changed: wakes every poll(2) waiting with a timeout.</summary>
    public static void ReadinessChanged() => FileCalls.ReadinessChanged();
}

/// <summary>poll(2)'s event bits as .NET's PAL numbers them (PAL_POLLIN ...).</summary>
[Flags]
public enum PollEvents : short
{
    None = 0,
    In = 0x01,
    Out = 0x04,
    Error = 0x08,
    HangUp = 0x10,
}
