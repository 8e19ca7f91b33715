using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>Builds raw TCP segments with a valid checksum, as an off-path attacker or a test would.</summary>
public static class SegmentForge
{
    public static byte[] Build(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort,
        uint seq, uint ack, TcpFlags flags, ushort window = 65535, byte[]? payload = null, TcpOptions? options = null)
    {
        payload ??= Array.Empty<byte>();
        var opt = options ?? TcpOptions.None;
        var buffer = new byte[TcpSegment.MaxHeaderLength + payload.Length];
        int optLen = opt.Write(buffer.AsSpan(TcpSegment.MinHeaderLength));
        payload.CopyTo(buffer.AsSpan(TcpSegment.MinHeaderLength + optLen));
        int length = TcpSegment.WriteHeader(buffer, sourcePort, destinationPort, seq, ack, flags, window, optLen, payload.Length,
            source, destination);
        return buffer[..length];
    }
}
