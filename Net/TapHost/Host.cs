using CosmosNet.Net.Platform;

namespace CosmosNet.Net.TapHost;

/// <summary>The stack and its services, built and run on the network loop thread.</summary>
internal sealed class Host
{
    private readonly HostOptions _options;
    private readonly TapDevice _device;

    public Host(HostOptions options, TapDevice device, EventLoop loop)
    {
        _options = options;
        _device = device;
        // Until the stack's composition root lands: count frames so the plumbing can be exercised.
        device.Start(frame => Log.Info($"frame: {frame.Length} bytes from {MacAddress.Read(frame[6..])}"));
        Log.Info($"attached to {device.Name} (mtu {device.Mtu}) as {options.Mac}, {options.Address}/{options.PrefixLength}");
        Log.Info("ready");
    }

    public int ExitCode { get; private set; }

    public void LogStatistics() => Log.Info($"device: {_device.FramesReceived} frames in, {_device.FramesSent} out, {_device.TransmitErrors} transmit errors");
}
