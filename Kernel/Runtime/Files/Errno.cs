namespace CosmosNet.Kernel.Runtime.Files;

/// <summary>Linux errno values (what SystemNative_* report, as libSystem.Native on Linux would), their
/// glibc messages and .NET's platform-neutral codes (Interop.Error, pal_errno.h).</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
        EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
        ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EPIPE = 32,
        ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENOTSUP = 95;

    /// <summary>(Linux errno, PAL code, glibc message) for every errno .NET names.</summary>
    static readonly (int Errno, int Pal, string Message)[] s_table =
    [
        (1, 0x10042, "Operation not permitted"), (2, 0x1002D, "No such file or directory"), (3, 0x1004A, "No such process"),
        (4, 0x1001B, "Interrupted system call"), (5, 0x1001D, "Input/output error"), (6, 0x1003F, "No such device or address"),
        (7, 0x10001, "Argument list too long"), (8, 0x1002E, "Exec format error"), (9, 0x10008, "Bad file descriptor"),
        (10, 0x1000C, "No child processes"), (11, 0x10006, "Resource temporarily unavailable"), (12, 0x10031, "Cannot allocate memory"),
        (13, 0x10002, "Permission denied"), (14, 0x10015, "Bad address"), (16, 0x1000A, "Device or resource busy"),
        (17, 0x10014, "File exists"), (18, 0x1004F, "Invalid cross-device link"), (19, 0x1002C, "No such device"),
        (20, 0x10039, "Not a directory"), (21, 0x1001F, "Is a directory"), (22, 0x1001C, "Invalid argument"),
        (23, 0x10029, "Too many open files in system"), (24, 0x10021, "Too many open files"), (25, 0x1003E, "Inappropriate ioctl for device"),
        (26, 0x1004E, "Text file busy"), (27, 0x10016, "File too large"), (28, 0x10034, "No space left on device"),
        (29, 0x10049, "Illegal seek"), (30, 0x10048, "Read-only file system"), (31, 0x10022, "Too many links"),
        (32, 0x10043, "Broken pipe"), (33, 0x10012, "Numerical argument out of domain"), (34, 0x10047, "Numerical result out of range"),
        (35, 0x10010, "Resource deadlock avoided"), (36, 0x10025, "File name too long"), (37, 0x1002F, "No locks available"),
        (38, 0x10037, "Function not implemented"), (39, 0x1003A, "Directory not empty"), (40, 0x10020, "Too many levels of symbolic links"),
        (42, 0x10032, "No message of desired type"), (43, 0x10018, "Identifier removed"), (61, 0x10071, "No data available"),
        (67, 0x10030, "Link has been severed"), (71, 0x10044, "Protocol error"), (72, 0x10024, "Multihop attempted"),
        (74, 0x10009, "Bad message"), (75, 0x10040, "Value too large for defined data type"), (84, 0x10019, "Invalid or incomplete multibyte or wide character"),
        (88, 0x1003C, "Socket operation on non-socket"), (89, 0x10011, "Destination address required"), (90, 0x10023, "Message too long"),
        (91, 0x10046, "Protocol wrong type for socket"), (92, 0x10033, "Protocol not available"), (93, 0x10045, "Protocol not supported"),
        (94, 0x1005E, "Socket type not supported"), (95, 0x1003D, "Operation not supported"), (96, 0x10060, "Protocol family not supported"),
        (97, 0x10005, "Address family not supported by protocol"), (98, 0x10003, "Address already in use"), (99, 0x10004, "Cannot assign requested address"),
        (100, 0x10026, "Network is down"), (101, 0x10028, "Network is unreachable"), (102, 0x10027, "Network dropped connection on reset"),
        (103, 0x1000D, "Software caused connection abort"), (104, 0x1000F, "Connection reset by peer"), (105, 0x1002A, "No buffer space available"),
        (106, 0x1001E, "Transport endpoint is already connected"), (107, 0x10038, "Transport endpoint is not connected"), (108, 0x1006C, "Cannot send after transport endpoint shutdown"),
        (110, 0x1004D, "Connection timed out"), (111, 0x1000E, "Connection refused"), (112, 0x10070, "Host is down"),
        (113, 0x10017, "No route to host"), (114, 0x10007, "Operation already in progress"), (115, 0x1001A, "Operation now in progress"),
        (116, 0x1004B, "Stale file handle"), (122, 0x10013, "Disk quota exceeded"), (125, 0x1000B, "Operation canceled"),
        (130, 0x10041, "Owner died"), (131, 0x1003B, "State not recoverable"),
    ];

    public static int ToPal(int errno)
    {
        if (errno == 0) return 0;
        foreach (var e in s_table) if (e.Errno == errno) return e.Pal;
        return -1; // Interop.Error has no name for it
    }

    public static int FromPal(int pal)
    {
        if (pal == 0) return 0;
        foreach (var e in s_table) if (e.Pal == pal) return e.Errno;
        return -1;
    }

    public static string Message(int errno)
    {
        if (errno == 0) return "Success";
        foreach (var e in s_table) if (e.Errno == errno) return e.Message;
        return $"Unknown error {errno}";
    }
}
