using System.Runtime.InteropServices;

namespace CosmosNet.Net.TapHost;

/// <summary>The few libc calls a TAP device and a poll loop need.</summary>
internal static unsafe class Native
{
    public const int O_RDWR = 0x2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    public const short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10;
    public const int EAGAIN = 11, EINTR = 4;

    /// <summary>_IOW('T', 202, int): attach this file descriptor to a TUN/TAP interface.</summary>
    public const ulong TUNSETIFF = 0x400454ca;
    public const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>struct ifreq: a 16-byte name and a 24-byte union whose first member we use (flags).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    public struct IfReq
    {
        public fixed byte Name[16];
        public short Flags;
    }

    [DllImport("libc", SetLastError = true)] public static extern int open(string path, int flags);
    [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] public static extern int ioctl(int fd, ulong request, IfReq* arg);
    [DllImport("libc", SetLastError = true)] public static extern nint read(int fd, byte* buffer, nint count);
    [DllImport("libc", SetLastError = true)] public static extern nint write(int fd, byte* buffer, nint count);
    [DllImport("libc", SetLastError = true)] public static extern int poll(PollFd* fds, ulong count, int timeoutMs);
    [DllImport("libc", SetLastError = true)] public static extern int eventfd(uint initval, int flags);

    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
