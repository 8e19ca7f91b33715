using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Udp;

namespace CosmosNet.Net.TapHost;

/// <summary>The stack and its services, built and run on the network loop thread.</summary>
internal sealed class Host
{
    private readonly TapDevice _device;
    private readonly ImpairedDevice? _impaired;
    private readonly NetworkStack _stack;

    public Host(HostOptions options, TapDevice device, EventLoop loop)
    {
        _device = device;
        INetworkDevice wire = device;
        if (options.Impair is { } impairment)
        {
            wire = _impaired = new ImpairedDevice(device, impairment, loop);
            Log.Info($"impairing both directions: {impairment}");
        }
        var configuration = new IpConfiguration(options.Address, options.PrefixLength, options.Gateway);
        _stack = new NetworkStack(wire, loop, new SystemRandom(), NetworkStackConfig.WithStatic(configuration));
        _ = _stack.StartAsync(); // a static configuration applies at once
        Log.Info($"attached to {device.Name} (mtu {device.Mtu}) as {options.Mac}, {_stack.Ip.Configuration}");
        var tcp = _stack.Tcp;

        if (options.HttpPort is { } http)
        {
            HttpService.Start(_stack, (ushort)http);
            Log.Info($"http: listening on port {http}");
        }
        if (options.EchoPort is { } echo)
        {
            tcp.Listen((ushort)echo, null, Services.EchoAsync);
            UdpSocket? udp = null;
            udp = _stack.Udp.Bind((ushort)echo, (source, _, payload) => udp!.Send(source, payload)).Value;
            Log.Info($"echo: listening on TCP and UDP port {echo}");
        }
        if (options.DiscardPort is { } discard)
        {
            tcp.Listen((ushort)discard, null, flow => Services.DiscardAsync(flow, loop));
            Log.Info($"discard: listening on port {discard}");
        }
        if (options.Connect is { } remote)
            _ = Services.ConnectOutAsync(tcp, new TcpEndpoint(remote.Address, (ushort)remote.Port), options.SendBytes, loop, t => Delay(loop, t));
        Log.Info("ready");
    }

    public int ExitCode => 0;

    public void LogStatistics()
    {
        Log.Info($"device: {_device.FramesReceived} frames in, {_device.FramesSent} out, {_device.TransmitErrors} transmit errors" +
                 (_impaired is null ? "" : $"; impairment dropped {_impaired.Dropped}, reordered {_impaired.Reordered}"));
        Log.Info($"ip: {_stack.Statistics.ToString().Trim().ReplaceLineEndings(" ")}");
        Log.Info($"tcp: {_stack.Tcp.Statistics}");
    }

    private static Task Delay(IClock clock, TimeSpan duration)
    {
        var done = new TaskCompletionSource();
        clock.CreateTimer(() => done.TrySetResult()).Arm(clock.NowNanoseconds + duration.Ticks * 100);
        return done.Task;
    }

    /// <summary>The host's randomness: the operating system's CSPRNG.</summary>
    private sealed class SystemRandom : IRandomSource
    {
        public void Fill(Span<byte> buffer) => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);
    }
}
