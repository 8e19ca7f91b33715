using CosmosNet.Net.Platform;
using Xunit;

namespace CosmosNet.Host.Tests;

public class BootConfigurationTests
{
    [Fact]
    public void Nothing_on_the_command_line_means_dhcp_and_the_first_nic()
    {
        var c = BootConfiguration.Parse(["cosmosnet.elf", "quiet"]);
        Assert.Null(c.StaticAddress);
        Assert.Null(c.NicModel);
        Assert.Null(c.NicMac);
        Assert.Empty(c.Warnings);
    }

    [Fact]
    public void Static_address_and_gateway()
    {
        var c = BootConfiguration.Parse(["ip=10.0.2.15/24", "gw=10.0.2.2"]);
        Assert.NotNull(c.StaticAddress);
        Assert.Equal("10.0.2.15", c.StaticAddress!.Address.ToString());
        Assert.Equal(24, c.StaticAddress.PrefixLength);
        Assert.Equal("10.0.2.2", c.StaticAddress.Gateway.ToString());
    }

    [Theory]
    [InlineData("ip=10.0.2.15")]            // no prefix
    [InlineData("ip=10.0.2.300/24")]
    [InlineData("ip=10.0.2.15/33")]
    public void A_malformed_address_falls_back_to_dhcp_with_a_warning(string arg)
    {
        var c = BootConfiguration.Parse([arg]);
        Assert.Null(c.StaticAddress);
        Assert.Single(c.Warnings);
    }

    [Fact]
    public void Ip_dhcp_is_dhcp()
    {
        var c = BootConfiguration.Parse(["ip=dhcp"]);
        Assert.Null(c.StaticAddress);
        Assert.Empty(c.Warnings);
    }

    [Theory]
    [InlineData("nic=virtio", "virtio")]
    [InlineData("nic=e1000e", "e1000e")]
    public void Nic_by_driver_name(string arg, string model)
    {
        var c = BootConfiguration.Parse([arg]);
        Assert.Equal(model, c.NicModel);
        Assert.Null(c.NicMac);
    }

    [Theory]
    [InlineData("nic=52:54:00:12:34:56")]
    [InlineData("nic=52-54-00-12-34-56")]
    public void Nic_by_mac_address(string arg)
    {
        var c = BootConfiguration.Parse([arg]);
        Assert.Null(c.NicModel);
        Assert.Equal(new MacAddress(0x5254_0012_3456UL), c.NicMac);
    }

    [Theory]
    [InlineData("nic=52:54:00:12:34")]
    [InlineData("nic=52:54:00:12:34:5g")]
    [InlineData("nic=52:54:00:12:34:567")]
    [InlineData("nic=::::::")]
    public void A_malformed_mac_is_ignored_with_a_warning(string arg)
    {
        var c = BootConfiguration.Parse([arg]);
        Assert.Null(c.NicMac);
        Assert.Null(c.NicModel);
        Assert.Single(c.Warnings);
    }
}
