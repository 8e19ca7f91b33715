using System.Runtime.InteropServices;
using CosmosNet.Net.TapHost;

return HostOptions.Command(Run).Parse(args).Invoke();

static int Run(HostOptions options)
{
    TapDevice device;
    try { device = TapDevice.Open(options.Tap, options.Mac); }
    catch (TapException e) { Log.Error(e.Message); return 2; }

    var loop = new EventLoop(device);
    using var stop = new CancellationTokenSource();
    void OnSignal(PosixSignalContext c) { c.Cancel = true; Log.Info($"{c.Signal}: stopping"); loop.Stop(); }
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

    Host? host = null;
    loop.Start(() => host = new Host(options, device, loop));
    try
    {
        loop.Stopped.GetAwaiter().GetResult();
        host?.LogStatistics();
        return host?.ExitCode ?? 0;
    }
    catch (Exception e)
    {
        Log.Error($"network loop failed: {e}");
        return 1;
    }
    finally
    {
        device.Dispose();
    }
}
