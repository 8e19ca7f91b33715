using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Simulation;

/// <summary>An Ethernet device whose wire is one end of a <see cref="SimulatedLink"/>: wires a NetworkStack to the simulator.</summary>
public sealed class SimulatedNetworkDevice : INetworkDevice
{
    private readonly LinkEnd _port;

    public SimulatedNetworkDevice(LinkEnd port, MacAddress macAddress, int mtu = 1500)
    {
        _port = port;
        MacAddress = macAddress;
        Mtu = mtu;
    }

    public MacAddress MacAddress { get; }
    public int Mtu { get; }

    public long FramesSent { get; private set; }
    public long FramesReceived { get; private set; }

    /// <summary>Frames longer than the Ethernet header plus the MTU: a real NIC would refuse them, so they are counted and not sent.</summary>
    public long OversizeDropped { get; private set; }

    public void Transmit(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > Mtu + 14) { OversizeDropped++; return; }
        FramesSent++;
        _port.Send(frame);
    }

    public void Start(FrameHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _port.Receiver = frame => { FramesReceived++; handler(frame); };
    }
}
