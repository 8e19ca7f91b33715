using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;

namespace CosmosNet.Host;

/// <summary>
/// What the kernel command line says about the network: <c>ip=A.B.C.D/N</c> (or <c>ip=dhcp</c>), <c>gw=G</c>, and
/// <c>nic=</c> naming a driver (<c>nic=virtio</c>) or a card by MAC address (<c>nic=52:54:00:12:34:56</c>).
/// Malformed values are reported in <see cref="Warnings"/> and ignored, never fatal.
/// </summary>
public sealed record BootConfiguration(IpConfiguration? StaticAddress, string? NicModel, MacAddress? NicMac, IReadOnlyList<string> Warnings)
{
    public static BootConfiguration Parse(IEnumerable<string> args)
    {
        string? ip = null, gw = null, nic = null;
        foreach (var a in args)
        {
            if (a.StartsWith("ip=", StringComparison.Ordinal)) ip = a[3..];
            else if (a.StartsWith("gw=", StringComparison.Ordinal)) gw = a[3..];
            else if (a.StartsWith("nic=", StringComparison.Ordinal)) nic = a[4..];
        }
        var warnings = new List<string>();

        IpConfiguration? address = null;
        if (ip is not null && ip != "dhcp")
        {
            address = IpConfiguration.TryParse(ip, gw);
            if (address is null) warnings.Add($"ignoring malformed ip={ip} gw={gw}; using DHCP");
        }

        string? model = null;
        MacAddress? mac = null;
        if (nic is { Length: > 0 })
        {
            if (nic.Contains(':') || nic.Contains('-'))
            {
                if (TryParseMac(nic, out var m)) mac = m;
                else warnings.Add($"ignoring malformed nic={nic}; taking the first supported NIC");
            }
            else model = nic;
        }
        return new BootConfiguration(address, model, mac, warnings);
    }

    static bool TryParseMac(string s, out MacAddress mac)
    {
        mac = default;
        var parts = s.Split(':', '-');
        if (parts.Length != 6) return false;
        ulong v = 0;
        foreach (var p in parts)
        {
            if (p.Length is < 1 or > 2 || !byte.TryParse(p, System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte b)) return false;
            v = (v << 8) | b;
        }
        mac = new MacAddress(v);
        return true;
    }
}
