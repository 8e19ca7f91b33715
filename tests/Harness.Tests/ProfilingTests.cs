using System.Buffers.Binary;
using CosmosNet.Harness.Profiling;
using Xunit;

namespace CosmosNet.Harness.Tests;

/// <summary>The host half of the profiler: ILC names made readable, the sample log and header parsed, the
/// flame graph drawn. (The guest half is booted by Kernel.Net.Tests' ProfilerTests.)</summary>
public sealed class ProfilingTests
{
    [Theory]
    [InlineData("CosmosNet_Net_CosmosNet_Net_Tcp_TcpFlow__SendSegment", "CosmosNet.Net.Tcp.TcpFlow.SendSegment")]
    [InlineData("CosmosNet_Net_Http_CosmosNet_Net_Http_RequestHead__Parse", "CosmosNet.Net.Http.RequestHead.Parse")]
    [InlineData("S_P_CoreLib_System_SpanHelpers__Memmove", "System.SpanHelpers.Memmove")]
    [InlineData("S_P_CoreLib_System_Collections_Generic_List_1<Int32>__Add", "System.Collections.Generic.List<Int32>.Add")]
    [InlineData("CosmosNet_Net_CosmosNet_Net_Tcp_TcpFlow__ReadAsync_d__55__MoveNext", "CosmosNet.Net.Tcp.TcpFlow.<ReadAsync>d__55.MoveNext")]
    [InlineData("CosmosNet_Net_CosmosNet_Net_Dhcp_DhcpClient___c__DisplayClass30_0___StartAsync_b__1", "CosmosNet.Net.Dhcp.DhcpClient.<>c__DisplayClass30_0.<StartAsync>b__1")]
    [InlineData("S_P_CoreLib_Microsoft_Win32_SafeHandles_SafeFileHandle___ctor_0", "Microsoft.Win32.SafeHandles.SafeFileHandle..ctor")]
    [InlineData("S_P_CoreLib_System_Array__Sort_7<Int32>", "System.Array.Sort_7<Int32>")]
    [InlineData("memset", "memset")]
    [InlineData("cosmos_wait_for_interrupt", "cosmos_wait_for_interrupt")]
    [InlineData("RhpNewFast", "RhpNewFast")]
    public void IlcNames_BecomeNamespaceTypeMethod(string symbol, string readable) => Assert.Equal(readable, Symbolizer.Demangle(symbol));

    [Fact]
    public void AppModules_AreStripped() =>
        Assert.Equal("Program.Main", Symbolizer.Demangle("HttpServer_Program__Main", new HashSet<string> { "HttpServer" }));

    [Fact]
    public void Log_IsRecordsOfThreadAndFrames()
    {
        var words = new ulong[] { 1UL << 16 | 2, 0x1000, 0x2000, 7UL << 16 | 1, 0x3000 };
        var bytes = new byte[words.Length * 8];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), words[i]);
        var samples = ProfileReader.ParseLog(bytes);
        Assert.Equal(2, samples.Count);
        Assert.Equal(1UL, samples[0].ThreadId);
        Assert.Equal([0x1000UL, 0x2000UL], samples[0].Frames);
        Assert.Equal(7UL, samples[1].ThreadId);
        Assert.Throws<InvalidDataException>(() => ProfileReader.ParseLog(bytes.AsSpan(0, 16)));   // a record cut short
    }

    [Fact]
    public void Header_NeedsTheMagic_AndGivesTheCounters()
    {
        var bytes = new byte[ProfileHeader.Bytes];
        void W(int word, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(word * 8), value);
        Assert.Throws<InvalidDataException>(() => ProfileHeader.Parse(bytes));
        W(0, ProfileHeader.Magic); W(1, 997); W(5, 4096); W(10, 123); W(32 + 0x30, 55);
        var header = ProfileHeader.Parse(bytes);
        Assert.Equal(997UL, header.Hz);
        Assert.Equal(4096UL, header.LogUsed);
        Assert.Equal(123UL, header.Counters.MmioWrites);
        Assert.Equal(55UL, header.Counters.Vectors[0x30]);
    }

    [Fact]
    public void FlameGraph_HasABoxPerFrame_WithItsShare()
    {
        var stacks = new Dictionary<string, long> { ["thread 1;Main;Loop;Poll"] = 3, ["thread 1;Main;Loop;Send"] = 1 };
        Assert.Equal("thread 1;Main;Loop;Poll 3\nthread 1;Main;Loop;Send 1\n", FlameGraph.Folded(stacks));
        string svg = FlameGraph.Svg(stacks, "t <&>");
        var doc = System.Xml.Linq.XDocument.Parse(svg);   // well-formed, the title escaped
        Assert.Contains("Poll (3 samples, 75.00%)", svg);
        Assert.Contains("Main (4 samples, 100.00%)", svg);
        Assert.Equal(6, doc.Descendants("{http://www.w3.org/2000/svg}rect").Count() - 1);   // 5 frames + "all", minus the background
    }
}
