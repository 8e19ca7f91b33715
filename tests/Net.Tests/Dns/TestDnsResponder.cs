using System.Buffers.Binary;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tests.Dns;

/// <summary>A tiny authoritative-style DNS responder for tests, with scripted misbehaviour and a log of queries.</summary>
internal sealed class TestDnsResponder
{
    private readonly UdpSocket _socket;

    public TestDnsResponder(UdpLayer udp) => _socket = udp.Bind(DnsMessage.Port, Receive).Value;

    public readonly Dictionary<string, Ipv4Address[]> A = new(StringComparer.OrdinalIgnoreCase);
    public readonly Dictionary<string, string> Cname = new(StringComparer.OrdinalIgnoreCase);
    public readonly HashSet<string> NoData = new(StringComparer.OrdinalIgnoreCase);
    public readonly HashSet<string> Truncate = new(StringComparer.OrdinalIgnoreCase);
    public uint Ttl { get; set; } = 60;
    public int DropQueries { get; set; }
    public int ServFailQueries { get; set; }
    /// <summary>Before each genuine answer, send forgeries: a wrong id and a wrong question.</summary>
    public bool Spoof { get; set; }
    public readonly List<(ushort Id, UdpEndpoint From, string Name)> Queries = new();

    private void Receive(UdpEndpoint source, Ipv4Address destination, ReadOnlySpan<byte> payload)
    {
        if (DnsMessage.TryParse(payload, out var q) != WireError.None || q.IsResponse || q.QuestionCount != 1) return;
        string name = ReadName(payload, 12, out int questionEnd);
        Queries.Add((q.Id, source, name));
        if (DropQueries > 0) { DropQueries--; return; }
        var question = payload[12..(questionEnd + 4)];
        if (ServFailQueries > 0) { ServFailQueries--; Send(source, q.Id, DnsResponseCode.ServerFailure, question, []); return; }
        if (Spoof)
        {
            Send(source, (ushort)(q.Id ^ 0x5555), DnsResponseCode.NoError, question, [(name, new Ipv4Address(6, 6, 6, 6))]);
            var other = new byte[DnsMessage.MaxUdpLength];
            DnsMessage.WriteQuery(other, q.Id, "evil.test", DnsType.A, out int n);
            Send(source, q.Id, DnsResponseCode.NoError, other.AsSpan(12, n - 12), [("evil.test", new Ipv4Address(6, 6, 6, 6))]);
        }
        var answers = new List<(string Name, object Data)>();
        string current = name;
        while (Cname.TryGetValue(current, out var target)) { answers.Add((current, target)); current = target; }
        if (A.TryGetValue(current, out var addresses)) foreach (var a in addresses) answers.Add((current, a));
        bool exists = answers.Count > 0 || NoData.Contains(name);
        Send(source, q.Id, exists ? DnsResponseCode.NoError : DnsResponseCode.NameError, question, answers, Truncate.Contains(name));
    }

    private void Send(UdpEndpoint to, ushort id, DnsResponseCode code, ReadOnlySpan<byte> question, List<(string Name, object Data)> answers,
        bool truncated = false)
    {
        var b = new List<byte>();
        void U16(int v) { b.Add((byte)(v >> 8)); b.Add((byte)v); }
        U16(id);
        b.Add((byte)(0x81 | (truncated ? 0x02 : 0)));
        b.Add((byte)(0x80 | (int)code));
        U16(1); U16(answers.Count); U16(0); U16(0);
        b.AddRange(question.ToArray());
        foreach (var (owner, data) in answers)
        {
            // The first owner is the question name: compress it with a pointer to offset 12, as real servers do.
            if (b.Count > 0 && answers[0].Name == owner) { b.Add(0xC0); b.Add(12); } else WriteName(b, owner);
            U16(data is string ? (int)DnsType.Cname : (int)DnsType.A);
            U16(DnsMessage.ClassInternet);
            b.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(Ttl)));
            if (data is string target)
            {
                var rdata = new List<byte>();
                WriteName(rdata, target);
                U16(rdata.Count);
                b.AddRange(rdata);
            }
            else
            {
                U16(4);
                var addr = new byte[4];
                ((Ipv4Address)data).Write(addr);
                b.AddRange(addr);
            }
        }
        _socket.Send(to, b.ToArray());
    }

    private static void WriteName(List<byte> b, string name)
    {
        foreach (var label in name.Split('.')) { b.Add((byte)label.Length); b.AddRange(label.Select(c => (byte)c)); }
        b.Add(0);
    }

    private static string ReadName(ReadOnlySpan<byte> m, int offset, out int end)
    {
        var labels = new List<string>();
        while (m[offset] != 0) { labels.Add(System.Text.Encoding.ASCII.GetString(m.Slice(offset + 1, m[offset]))); offset += 1 + m[offset]; }
        end = offset + 1;
        return string.Join('.', labels);
    }
}
