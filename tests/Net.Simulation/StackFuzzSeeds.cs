using System.Buffers.Binary;
using CosmosNet.Net.Wire;
using static CosmosNet.Net.Simulation.StackFuzzTarget;

namespace CosmosNet.Net.Simulation;

/// <summary>A starting corpus for <see cref="StackFuzzTarget"/>: one well-formed example of each kind of input the stack takes.</summary>
public static class StackFuzzSeeds
{
    private const byte Raw = 1, FixChecksums = 2, Relative = 4;

    public static IReadOnlyList<(string Name, byte[] Input)> All()
    {
        var seeds = new List<(string, byte[])>();
        void Save(string name, params byte[][] records) => seeds.Add((name, records.SelectMany(r => r).ToArray()));

        Save("tcp-data", Record(Relative, Tcp(0, 0, 0x18, new byte[40])));
        Save("tcp-fin", Record(Relative, Tcp(0, 0, 0x11, [])), Record(Relative | 0x80, Tcp(1, 0, 0x10, [])));
        Save("tcp-rst", Record(Relative, Tcp(0, 0, 0x04, [])));
        Save("tcp-ooo-sack", Record(Relative, Tcp(1000, 0, 0x18, new byte[100])), Record(Relative, Tcp(0, 0, 0x18, new byte[1000])));
        Save("tcp-options", Record(Relative, Tcp(0, 0, 0x10, [], [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2])));
        Save("tcp-syn", Record(FixChecksums, Tcp(12345, 0, 0x02, [], [2, 4, 5, 180, 4, 2, 3, 3, 7, 1], sourcePort: 40000)));
        Save("udp", Record(FixChecksums, Ip(17, Udp(5555, UdpPort, "ping"u8.ToArray()), 0)));
        Save("icmp-echo", Record(FixChecksums, Ip(1, [8, 0, 0, 0, 0, 1, 0, 1, 1, 2, 3, 4], 0)));
        Save("ip-fragments", Record(FixChecksums, Ip(17, Udp(5555, UdpPort, new byte[40]).AsSpan(0, 24).ToArray(), 0x2000)),
                             Record(FixChecksums, Ip(17, Udp(5555, UdpPort, new byte[40]).AsSpan(24).ToArray(), 3)));
        Save("arp-request", Record(Raw, Arp()));
        return seeds;
    }

    public static void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, input) in All()) File.WriteAllBytes(Path.Combine(dir, name), input);
    }

    /// <summary>A TCP segment to B's port in an IPv4 packet from A to B.</summary>
    private static byte[] Tcp(uint seq, uint ack, byte flags, byte[] payload, byte[]? options = null, ushort sourcePort = 0)
    {
        options ??= [];
        int optLength = (options.Length + 3) & ~3;
        var tcp = new byte[20 + optLength + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), TcpPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), ack);
        tcp[12] = (byte)((20 + optLength) / 4 << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        options.CopyTo(tcp.AsSpan(20));
        payload.CopyTo(tcp.AsSpan(20 + optLength));
        return Ip(6, tcp, 0x4000);
    }

    private static byte[] Udp(ushort from, ushort to, byte[] payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, from);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), to);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        return udp;
    }

    /// <summary>An IPv4 packet from A to B.</summary>
    private static byte[] Ip(byte protocol, byte[] payload, ushort flagsAndOffset)
    {
        var ip = new byte[20 + payload.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), flagsAndOffset);
        ip[8] = 64;
        ip[9] = protocol;
        AddressA.Write(ip.AsSpan(12));
        AddressB.Write(ip.AsSpan(16));
        payload.CopyTo(ip.AsSpan(20));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum.Compute(ip.AsSpan(0, 20)));
        return ip;
    }

    private static byte[] Arp()
    {
        var f = new byte[60];
        EthernetFrame.WriteHeader(f, CosmosNet.Net.Platform.MacAddress.Broadcast, MacA, EtherType.Arp);
        byte[] arp = [0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 9, 10, 0, 0, 9, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2];
        arp.CopyTo(f.AsSpan(14));
        return f;
    }
}
