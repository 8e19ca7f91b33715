using Xunit;

namespace CosmosNet.Harness.Tests;

public sealed class QemuCommandLineTests
{
    static string Joined(QemuOptions o) => string.Join(' ', Qemu.CommandLine(o));

    [Fact]
    public void KernelBoot_HasTheExitDeviceSerialAndCommandLine()
    {
        var args = Qemu.CommandLine(new QemuOptions { Kernel = "/k.elf", Append = "--exit 7", MemoryMiB = 64, Accel = "tcg" });
        Assert.Equal(Qemu.Executable, args[0]);
        string line = string.Join(' ', args);
        Assert.Contains("-machine pc -accel tcg -m 64M", line);
        Assert.Contains("-serial stdio", line);
        Assert.Contains("-device isa-debug-exit,iobase=0xf4,iosize=0x04", line);
        Assert.Contains("-kernel /k.elf", line);
        Assert.Equal("--exit 7", args[args.ToList().IndexOf("-append") + 1]);   // one argument, spaces kept
        Assert.DoesNotContain("-netdev", line);
        Assert.DoesNotContain("-cdrom", line);
    }

    [Theory]
    [InlineData(Nic.Virtio, "virtio-net-pci")]
    [InlineData(Nic.Rtl8139, "rtl8139")]
    [InlineData(Nic.E1000, "e1000")]
    [InlineData(Nic.E1000e, "e1000e")]
    [InlineData(Nic.Vmxnet3, "vmxnet3")]
    public void EveryNic_MapsToItsQemuDevice_OnTheUserNetwork(Nic nic, string device)
    {
        string line = Joined(new QemuOptions { Kernel = "/k.elf", Nic = nic, Network = new UserNetwork(new Forward(8080, 80), new Forward(9, 7, "127.0.0.2")) });
        Assert.Contains("-netdev user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=tcp:127.0.0.2:9-:7", line);
        Assert.EndsWith($"-device {device},netdev=n0", line);
        Assert.Equal(nic, Nics.Parse(nic.ToString().ToUpperInvariant()));
    }

    [Fact]
    public void NicProperties_FollowTheDevice_AndAMonitorSocketReplacesNoMonitor()
    {
        string line = Joined(new QemuOptions { Kernel = "/k.elf", Nic = Nic.Virtio, NicProperties = "disable-legacy=on,vectors=0",
            MonitorSocket = "/tmp/m.sock", Network = new UserNetwork() });
        Assert.EndsWith("-device virtio-net-pci,netdev=n0,disable-legacy=on,vectors=0", line);
        Assert.Contains("-monitor unix:/tmp/m.sock,server=on,wait=off", line);
        Assert.Contains("-monitor none", Joined(new QemuOptions { Kernel = "/k.elf" }));
    }

    [Fact]
    public void TapInANamespace_RunsQemuInsideIt()
    {
        var args = Qemu.CommandLine(new QemuOptions { Kernel = "/k.elf", Network = new TapNetwork("tap7", "ns7"), Nic = Nic.E1000 });
        Assert.Equal(["ip", "netns", "exec", "ns7", Qemu.Executable], args.Take(5));
        Assert.Contains("-netdev tap,id=n0,ifname=tap7,script=no,downscript=no -device e1000,netdev=n0", string.Join(' ', args));
        Assert.Equal(Qemu.Executable, Qemu.CommandLine(new QemuOptions { Kernel = "/k", Network = new TapNetwork("tap7") })[0]);
    }

    [Fact]
    public void DatagramNetwork_SendsFramesAsUdpToTheRelay()
    {
        var args = Qemu.CommandLine(new QemuOptions { Kernel = "/k.elf", Network = new DatagramNetwork(5000, 5001, "ns7"), Nic = Nic.E1000 });
        Assert.Equal(["ip", "netns", "exec", "ns7", Qemu.Executable], args.Take(5));
        Assert.Contains("-netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=5000,remote.type=inet,remote.host=127.0.0.1,remote.port=5001 -device e1000,netdev=n0",
            string.Join(' ', args));
    }

    [Fact]
    public void UefiCdrom_UsesOvmf_AndLinuxKernelGetsInitrdWithoutExitDevice()
    {
        string uefi = Joined(new QemuOptions { Cdrom = "/c.iso", Uefi = true, Machine = "q35" });
        Assert.Contains("-machine q35", uefi);
        Assert.Contains("-bios /usr/share/OVMF/OVMF_CODE.fd", uefi);
        Assert.Contains("-cdrom /c.iso", uefi);

        string vmware = Joined(new QemuOptions { Disk = "/a/disk1.vmdk", Uefi = true, Machine = "q35", VmPort = true });
        Assert.Contains("-machine q35,vmport=on", vmware);
        Assert.Contains("-drive file=/a/disk1.vmdk,format=vmdk,snapshot=on", vmware);
        Assert.DoesNotContain("-cdrom", vmware);

        string linux = Joined(new QemuOptions { Kernel = "/vmlinuz", Initrd = "/initrd", Append = "console=ttyS0", ExitDevice = false, PidFile = "/p" });
        Assert.Contains("-kernel /vmlinuz -initrd /initrd -append console=ttyS0", linux);
        Assert.DoesNotContain("isa-debug-exit", linux);
        Assert.EndsWith("-pidfile /p", linux);
    }

    [Fact]
    public void Misuse_IsAClearError()
    {
        Assert.Throws<ArgumentException>(() => Qemu.CommandLine(new QemuOptions()));
        Assert.Throws<ArgumentException>(() => Qemu.CommandLine(new QemuOptions { Kernel = "/k", Cdrom = "/c" }));
        Assert.Throws<ArgumentException>(() => Qemu.CommandLine(new QemuOptions { Cdrom = "/c", Disk = "/d.img" }));
        Assert.Throws<ArgumentException>(() => Qemu.CommandLine(new QemuOptions { Cdrom = "/c", Append = "x" }));
        Assert.Throws<ArgumentException>(() => Qemu.CommandLine(new QemuOptions { Kernel = "/k", Machine = "isapc" }));
        Assert.Contains("virtio", Assert.Throws<ArgumentException>(() => Nics.Parse("ne2000")).Message);
        Assert.Throws<ArgumentException>(() => Nics.Parse("7"));
        Assert.Throws<FormatException>(() => Forward.Parse("80"));
        Assert.Equal(new Forward(8080, 80, "0.0.0.0"), Forward.Parse("0.0.0.0:8080:80"));
        Assert.Equal(new Forward(5353, 53, Udp: true), Forward.Parse("udp:5353:53"));
        Assert.Contains("hostfwd=udp:127.0.0.1:5353-:53",
            Joined(new QemuOptions { Kernel = "/k.elf", Network = new UserNetwork(Forward.Parse("udp:5353:53")) }));
    }
}
