using Xunit;

namespace CosmosNet.Net.Http.Tests;

/// <summary>What a short connection costs on the wire: every segment the server sends for one request and close.</summary>
public sealed class SegmentTests
{
    const byte Fin = 0x01, Syn = 0x02, Psh = 0x08, Ack = 0x10;

    /// <summary>TCP flags and payload length of a packet of the simulated link (PacketIpLayer: a 9-byte pseudo header, then the segment).</summary>
    static (byte Flags, int Payload) Summary(ReadOnlySpan<byte> packet)
    {
        var tcp = packet[9..];
        return (tcp[13], tcp.Length - (tcp[12] >> 4) * 4);
    }

    [Fact]
    public void Connection_close_response_carries_the_FIN()
    {
        var bed = TestServer.Create();
        var sent = new List<(byte Flags, int Payload)>();
        bed.Link.BtoA.Observer = packet => sent.Add(Summary(packet));
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync("GET / HTTP/1.1\r\nHost: server\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync())!.Status);
            Assert.True(await c.IsClosedByServerAsync());
            await c.Flow.CloseAsync();
        });
        // SYN-ACK, the response with the FIN, the ACK of the client's FIN. (This test bed's 256 KiB receive buffer also
        // makes the server announce its window once the request is read: a pure ACK, not counted here.)
        string all = string.Join(", ", sent.Select(s => $"flags 0x{s.Flags:x2} payload {s.Payload}"));
        Assert.True(sent[0] == ((byte)(Syn | Ack), 0), all);
        var data = sent.Where(s => s.Payload > 0 || (s.Flags & Fin) != 0).ToList();
        Assert.True(data.Count == 1 && data[0].Flags == (Ack | Psh | Fin) && data[0].Payload > TestServer.Page.Length, all);
        Assert.True(sent[^1] == ((byte)Ack, 0), all);
        Assert.True(sent.Count <= 4, all);
    }
}
