using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// What <c>make vmware</c> (Boot/make-vmware.sh) writes beside an ISO of Apps/HttpServer, made once per
/// firmware/NIC pair in iso/tests/vmware-FIRMWARE-NIC/ with the OVA unpacked into its ova/ folder.
/// </summary>
public sealed record VmwareAppliance(string Firmware, string Nic, string Directory)
{
    static readonly Lazy<string> s_iso = new(() => Image.BuildIso(ServerGuest.Elf));
    /// <summary>Apps/HttpServer's GRUB ISO (BIOS and UEFI), built once per test run.</summary>
    public static string Iso => s_iso.Value;
    static readonly ConcurrentDictionary<(string, string), Lazy<VmwareAppliance>> s_made = new();

    public string Vmx => Path.Combine(Directory, "cosmosnet.vmx");
    public string Ova => Path.Combine(Directory, "cosmosnet.ova");
    public string Unpacked => Path.Combine(Directory, "ova");
    public string Ovf => Path.Combine(Unpacked, "cosmosnet.ovf");
    public string Manifest => Path.Combine(Unpacked, "cosmosnet.mf");
    public string Vmdk => Path.Combine(Unpacked, "cosmosnet-disk1.vmdk");

    public static VmwareAppliance Make(string firmware, string nic) =>
        s_made.GetOrAdd((firmware, nic), _ => new(() => Generate(firmware, nic))).Value;

    static VmwareAppliance Generate(string firmware, string nic)
    {
        string dir = Image.TestDirectory($"vmware-{firmware}-{nic}");
        if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
        System.IO.Directory.CreateDirectory(dir);
        string iso = Path.Combine(dir, "cosmosnet.iso");
        File.Copy(Iso, iso);
        var result = Processes.Run(Path.Combine(Repository.Root, "Boot", "make-vmware.sh"), [iso], TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["VMWARE_FIRMWARE"] = firmware, ["VMWARE_NIC"] = nic });
        if (result.ExitCode != 0) throw new InvalidOperationException($"make-vmware.sh failed (exit {result.ExitCode}):\n{result.Output}");
        var appliance = new VmwareAppliance(firmware, nic, dir);
        System.IO.Directory.CreateDirectory(appliance.Unpacked);
        TarFile.ExtractToDirectory(appliance.Ova, appliance.Unpacked, overwriteFiles: true);
        return appliance;
    }
}

/// <summary>The appliance's files against what VMware reads: the .vmx keys, the OVA's entry order, the OVF
/// descriptor's required DMTF elements, the manifest's digests, the VMDK's subformat.</summary>
public sealed class VmwareApplianceTests
{
    static readonly XNamespace Ovf = "http://schemas.dmtf.org/ovf/envelope/1";
    static readonly XNamespace Rasd = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    static readonly XNamespace Vssd = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
    static readonly XNamespace Vmw = "http://www.vmware.com/schema/ovf";

    public static TheoryData<string, string> Variants => new() { { "bios", "e1000e" }, { "efi", "vmxnet3" } };

    [Theory, MemberData(nameof(Variants))]
    public void Vmx_names_hardware_firmware_nic_cdrom_and_serial_file(string firmware, string nic)
    {
        var a = VmwareAppliance.Make(firmware, nic);
        var lines = File.ReadAllLines(a.Vmx).Select(l => (Line: l, Match: Regex.Match(l, "^([^ =]+) = \"(.*)\"$"))).ToList();
        Assert.All(lines, l => Assert.True(l.Match.Success, $"not a vmx line: {l.Line}"));
        var keys = lines.ToDictionary(l => l.Match.Groups[1].Value, l => l.Match.Groups[2].Value);
        Assert.Equal("other-64", keys["guestOS"]);
        Assert.Equal("14", keys["virtualHW.version"]);
        Assert.Equal(firmware, keys["firmware"]);
        Assert.Equal("256", keys["memsize"]);
        Assert.Equal(nic, keys["ethernet0.virtualDev"]);
        Assert.Equal("nat", keys["ethernet0.connectionType"]);
        Assert.Equal("TRUE", keys["ide1:0.present"]);
        Assert.Equal("cdrom-image", keys["ide1:0.deviceType"]);
        Assert.Equal("cosmosnet.iso", keys["ide1:0.fileName"]);
        Assert.True(File.Exists(Path.Combine(a.Directory, keys["ide1:0.fileName"])));
        Assert.Equal("file", keys["serial0.fileType"]);
        Assert.Equal("cosmosnet-serial.log", keys["serial0.fileName"]);
        // COM2, the diagnostics console: a named pipe (a Unix socket on Linux hosts) VMware serves, no input dropped.
        Assert.Equal("TRUE", keys["serial1.present"]);
        Assert.Equal("pipe", keys["serial1.fileType"]);
        Assert.Equal("/tmp/cosmosnet-console", keys["serial1.fileName"]);
        Assert.Equal("server", keys["serial1.pipe.endPoint"]);
        Assert.Equal("TRUE", keys["serial1.tryNoRxLoss"]);
    }

    [Fact]
    public void Ova_lists_the_descriptor_first_then_manifest_and_disk()
    {
        var a = VmwareAppliance.Make("bios", "e1000e");
        var tar = Processes.Run("tar", ["tf", a.Ova], TimeSpan.FromSeconds(30));
        Assert.Equal(0, tar.ExitCode);
        Assert.Equal(["cosmosnet.ovf", "cosmosnet.mf", "cosmosnet-disk1.vmdk"],
            tar.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Theory, MemberData(nameof(Variants))]
    public void Ovf_has_the_required_envelope_disk_network_and_virtual_hardware(string firmware, string nic)
    {
        var a = VmwareAppliance.Make(firmware, nic);
        var envelope = XDocument.Load(a.Ovf).Root!;
        Assert.Equal(Ovf + "Envelope", envelope.Name);

        var file = Assert.Single(envelope.Elements(Ovf + "References").Elements(Ovf + "File"));
        Assert.Equal("cosmosnet-disk1.vmdk", (string?)file.Attribute(Ovf + "href"));
        Assert.Equal(new FileInfo(a.Vmdk).Length, (long?)file.Attribute(Ovf + "size"));

        var disk = Assert.Single(envelope.Elements(Ovf + "DiskSection").Elements(Ovf + "Disk"));
        Assert.Equal((string?)file.Attribute(Ovf + "id"), (string?)disk.Attribute(Ovf + "fileRef"));
        Assert.EndsWith("#streamOptimized", (string?)disk.Attribute(Ovf + "format"));
        Assert.Equal(new FileInfo(Path.Combine(a.Directory, "cosmosnet.iso")).Length, (long?)disk.Attribute(Ovf + "capacity"));
        Assert.NotNull(envelope.Element(Ovf + "DiskSection")!.Element(Ovf + "Info"));

        var network = envelope.Element(Ovf + "NetworkSection");
        Assert.NotNull(network?.Element(Ovf + "Info"));
        string networkName = (string)Assert.Single(network!.Elements(Ovf + "Network")).Attribute(Ovf + "name")!;

        var system = Assert.Single(envelope.Elements(Ovf + "VirtualSystem"));
        Assert.NotNull(system.Attribute(Ovf + "id"));
        Assert.NotNull(system.Element(Ovf + "Info"));
        var os = system.Element(Ovf + "OperatingSystemSection");
        Assert.NotNull(os?.Attribute(Ovf + "id"));
        Assert.NotNull(os!.Element(Ovf + "Info"));

        var hardware = system.Element(Ovf + "VirtualHardwareSection")!;
        Assert.NotNull(hardware.Element(Ovf + "Info"));
        Assert.Equal("vmx-14", (string?)hardware.Element(Ovf + "System")?.Element(Vssd + "VirtualSystemType"));
        var items = hardware.Elements(Ovf + "Item").ToList();
        Assert.All(items, i => Assert.NotNull(i.Element(Rasd + "InstanceID")));
        Assert.Equal(items.Count, items.Select(i => (string)i.Element(Rasd + "InstanceID")!).Distinct().Count());
        XElement Item(int resourceType) => Assert.Single(items, i => (int)i.Element(Rasd + "ResourceType")! == resourceType);

        Assert.Equal("1", (string?)Item(3).Element(Rasd + "VirtualQuantity"));                       // CPU
        Assert.Equal("256", (string?)Item(4).Element(Rasd + "VirtualQuantity"));                     // memory
        Assert.Equal("byte * 2^20", (string?)Item(4).Element(Rasd + "AllocationUnits"));
        var controller = Item(5);                                                                    // IDE controller
        var hardDisk = Item(17);
        Assert.Equal($"ovf:/disk/{(string?)disk.Attribute(Ovf + "diskId")}", (string?)hardDisk.Element(Rasd + "HostResource"));
        Assert.Equal((string?)controller.Element(Rasd + "InstanceID"), (string?)hardDisk.Element(Rasd + "Parent"));
        var ethernet = Item(10);
        Assert.Equal(networkName, (string?)ethernet.Element(Rasd + "Connection"));
        Assert.Equal(nic == "vmxnet3" ? "VmxNet3" : "E1000e", (string?)ethernet.Element(Rasd + "ResourceSubType"));

        var firmwareConfig = Assert.Single(hardware.Elements(Vmw + "Config"), c => (string?)c.Attribute(Vmw + "key") == "firmware");
        Assert.Equal(firmware, (string?)firmwareConfig.Attribute(Vmw + "value"));
    }

    [Fact]
    public void Manifest_digests_match_the_descriptor_and_the_disk()
    {
        var a = VmwareAppliance.Make("bios", "e1000e");
        var lines = File.ReadAllLines(a.Manifest);
        Assert.Equal(2, lines.Length);
        foreach (string line in lines)
        {
            var m = Regex.Match(line, @"^SHA256\((?<file>[^)]+)\)= (?<digest>[0-9a-f]{64})$");
            Assert.True(m.Success, $"manifest line: {line}");
            string file = Path.Combine(a.Unpacked, m.Groups["file"].Value);
            Assert.Equal(m.Groups["digest"].Value, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        }
        Assert.Equal(["cosmosnet.ovf", "cosmosnet-disk1.vmdk"], lines.Select(l => l[7..l.IndexOf(')')]));
    }

    [Fact]
    public void Vmdk_is_stream_optimized_and_as_large_as_the_iso()
    {
        var a = VmwareAppliance.Make("bios", "e1000e");
        var info = Processes.Run("qemu-img", ["info", "--output=json", a.Vmdk], TimeSpan.FromSeconds(30));
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("\"create-type\": \"streamOptimized\"", info.Output);
        Assert.Contains($"\"virtual-size\": {new FileInfo(Path.Combine(a.Directory, "cosmosnet.iso")).Length},", info.Output);
    }
}

/// <summary>The UEFI ISO on q35 (OVMF) with the e1000e, the q35 default NIC.</summary>
public sealed class UefiIsoE1000eGuest() : ServerGuest(Nic.E1000e, configure: o => o with
{
    Kernel = null, Cdrom = VmwareAppliance.Iso, Uefi = true, Machine = "q35",
});

/// <summary>The OVA's own disk on the hardware a VMware VM presents: q35, OVMF, vmxnet3, the VMware backdoor port.</summary>
public sealed class VmwareEfiVmxnet3Guest() : ServerGuest(Nic.Vmxnet3, configure: o => o with
{
    Kernel = null, Disk = VmwareAppliance.Make("efi", "vmxnet3").Vmdk, Uefi = true, Machine = "q35", VmPort = true,
});

/// <summary>The default appliance (`make vmware`: BIOS, e1000e) from its OVA disk, on q35 with the backdoor port.</summary>
public sealed class VmwareBiosE1000eGuest() : ServerGuest(Nic.E1000e, configure: o => o with
{
    Kernel = null, Disk = VmwareAppliance.Make("bios", "e1000e").Vmdk, Machine = "q35", VmPort = true,
});

public abstract class VmwareBootTests(ServerGuest guest, ITestOutputHelper log, string driverLine)
{
    [Fact]
    public async Task Boots_binds_the_nic_and_serves_get()
    {
        log.WriteLine(guest.Serial);
        Assert.Contains(driverLine, guest.Serial);
        Assert.Contains("DHCP lease 10.0.2.15/24 gw 10.0.2.2", guest.Serial);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = TimeSpan.FromSeconds(120) };
        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Hello from CosmosNet</h1>", await page.Content.ReadAsStringAsync());
    }
}

[Collection("guests")]
public sealed class UefiIsoE1000eTests(UefiIsoE1000eGuest guest, ITestOutputHelper log)
    : VmwareBootTests(guest, log, "net: e1000e 52:54:00:12:34:56, link up"), IClassFixture<UefiIsoE1000eGuest>;

[Collection("guests")]
public sealed class VmwareEfiVmxnet3Tests(VmwareEfiVmxnet3Guest guest, ITestOutputHelper log)
    : VmwareBootTests(guest, log, "net: vmxnet3 52:54:00:12:34:56, link up"), IClassFixture<VmwareEfiVmxnet3Guest>;

[Collection("guests")]
public sealed class VmwareBiosE1000eTests(VmwareBiosE1000eGuest guest, ITestOutputHelper log)
    : VmwareBootTests(guest, log, "net: e1000e 52:54:00:12:34:56, link up"), IClassFixture<VmwareBiosE1000eGuest>;
