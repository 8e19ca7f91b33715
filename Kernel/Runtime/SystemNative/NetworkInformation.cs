using System.Runtime.InteropServices;
using CosmosNet.Kernel.Runtime.Files;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>System.Net.NetworkInformation's calls (HttpClient links them: it watches address changes for HTTP/3's
/// Alt-Svc). Not provided: listing interfaces and watching them need the host layer's stack, which the kernel does
/// not see. They fail as on a Linux without netlink: NetworkInterface.GetAllNetworkInterfaces and subscribing to
/// NetworkChange throw NetworkInformationException ("Operation not supported").</summary>
internal static unsafe class NetworkInformationCalls
{
    const int EOPNOTSUPP = 95, EBADF = 9;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetNetworkInterfaces")]
    static int GetNetworkInterfaces(int* interfaceCount, void** interfaces, int* addressCount, void** addresses)
    {
        if (interfaceCount != null) *interfaceCount = 0;
        if (addressCount != null) *addressCount = 0;
        MiscCalls.SetError(EOPNOTSUPP);
        return -1;
    }

    /// <summary>Returns .NET's error code (0 = success), with errno set for the message.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CreateNetworkChangeListenerSocket")]
    static int CreateNetworkChangeListenerSocket(nint* socket)
    {
        if (socket != null) *socket = -1;
        MiscCalls.SetError(EOPNOTSUPP);
        return Errno.ToPal(EOPNOTSUPP);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ReadEvents")]
    static int ReadEvents(nint socket, nint callback)
    {
        MiscCalls.SetError(EBADF);
        return Errno.ToPal(EBADF);
    }
}
