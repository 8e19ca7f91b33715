#!/usr/bin/env bash
# make-vmware.sh <cosmosnet.iso>: the VMware appliance beside the ISO.
#   <name>.vmx  Workstation/Fusion/Player VM that boots the ISO from its CD-ROM (COM1 -> <name>-serial.log; COM2, the
#               diagnostics console, a pipe VMware serves: VMWARE_CONSOLE_PIPE, default /tmp/cosmosnet-console, a Unix
#               socket on Linux and macOS hosts: socat -,raw,echo=0 UNIX-CONNECT:/tmp/cosmosnet-console; on Windows
#               hosts set it to \\.\pipe\cosmosnet-console and use PuTTY's or VS Code's serial/pipe client)
#   <name>.ova  OVF 1.0 package for Workstation's "Open" and ESXi's "Deploy OVF template": the descriptor
#               first (the OVF spec requires it), then the SHA256 manifest, then a streamOptimized VMDK of
#               the same ISO written as a disk (grub-mkrescue's image is hybrid: it boots as a hard disk on
#               BIOS through its MBR and on UEFI through its EFI system partition).
# VMWARE_FIRMWARE=bios|efi (default bios), VMWARE_NIC=e1000e|vmxnet3 (default e1000e), VMWARE_MEMORY (MiB, 256).
set -euo pipefail
iso=$1
firmware=${VMWARE_FIRMWARE:-bios}
nic=${VMWARE_NIC:-e1000e}
console_pipe=${VMWARE_CONSOLE_PIPE:-/tmp/cosmosnet-console}
memory=${VMWARE_MEMORY:-256}
case $firmware in bios|efi) ;; *) echo "VMWARE_FIRMWARE=$firmware: bios or efi" >&2; exit 1;; esac
case $nic in
  e1000e) ovf_nic=E1000e;;
  vmxnet3) ovf_nic=VmxNet3;;
  *) echo "VMWARE_NIC=$nic: e1000e or vmxnet3" >&2; exit 1;;
esac
dir=$(cd "$(dirname "$iso")" && pwd)
name=$(basename "$iso" .iso)
hw=14   # virtualHW.version 14: Workstation 14+, ESXi 6.7+ (vmx-14)

# ---- the .vmx: boots the ISO in place ----------------------------------------------------------
cat > "$dir/$name.vmx" <<EOF
.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "$hw"
displayName = "CosmosNet"
guestOS = "other-64"
firmware = "$firmware"
numvcpus = "1"
memsize = "$memory"
pciBridge0.present = "TRUE"
pciBridge4.present = "TRUE"
pciBridge4.virtualDev = "pcieRootPort"
pciBridge4.functions = "8"
ide1:0.present = "TRUE"
ide1:0.deviceType = "cdrom-image"
ide1:0.fileName = "$name.iso"
ide1:0.startConnected = "TRUE"
bios.bootOrder = "cdrom"
ethernet0.present = "TRUE"
ethernet0.virtualDev = "$nic"
ethernet0.connectionType = "nat"
ethernet0.addressType = "generated"
ethernet0.pciSlotNumber = "160"
serial0.present = "TRUE"
serial0.fileType = "file"
serial0.fileName = "$name-serial.log"
serial0.tryNoRxLoss = "FALSE"
serial1.present = "TRUE"
serial1.fileType = "pipe"
serial1.fileName = "$console_pipe"
serial1.pipe.endPoint = "server"
serial1.tryNoRxLoss = "TRUE"
serial1.yieldOnMsrRead = "TRUE"
svga.present = "TRUE"
tools.syncTime = "FALSE"
EOF

# ---- the .ova: OVF descriptor, manifest, streamOptimized disk ------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vmdk=$name-disk1.vmdk
qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$iso" "$work/$vmdk"
capacity=$(stat -c %s "$iso")
vmdk_size=$(stat -c %s "$work/$vmdk")
cat > "$work/$name.ovf" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
          xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
          xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
          xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
          xmlns:vmw="http://www.vmware.com/schema/ovf"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
    <File ovf:id="file1" ovf:href="$vmdk" ovf:size="$vmdk_size"/>
  </References>
  <DiskSection>
    <Info>Virtual disk: the CosmosNet GRUB image</Info>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="$capacity" ovf:capacityAllocationUnits="byte"
          ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>The network the NIC connects to</Info>
    <Network ovf:name="VM Network">
      <Description>The network the appliance serves HTTP (80) and echo (7) on; it takes its address by DHCP</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="CosmosNet">
    <Info>CosmosNet: a C# unikernel serving HTTP</Info>
    <Name>CosmosNet</Name>
    <OperatingSystemSection ovf:id="102" vmw:osType="otherGuest64">
      <Info>The guest operating system</Info>
      <Description>Other (64-bit)</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>1 CPU, ${memory} MiB, IDE disk, $nic NIC</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>CosmosNet</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-$hw</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:Description>Number of virtual CPUs</rasd:Description>
        <rasd:ElementName>1 virtual CPU</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>1</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:Description>Memory size</rasd:Description>
        <rasd:ElementName>${memory} MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>$memory</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:Description>IDE Controller</rasd:Description>
        <rasd:ElementName>IDE 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceType>5</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:ElementName>Hard disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:Description>$ovf_nic ethernet adapter on "VM Network"</rasd:Description>
        <rasd:ElementName>Network adapter 1</rasd:ElementName>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:ResourceSubType>$ovf_nic</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="$firmware"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
EOF
(cd "$work" && sha256sum "$name.ovf" "$vmdk" | awk '{print "SHA256(" $2 ")= " $1}' > "$name.mf")
# ustar: VMware's importers read plain POSIX tar; the OVF descriptor must be the first entry.
tar -C "$work" --format=ustar -cf "$dir/$name.ova" "$name.ovf" "$name.mf" "$vmdk"
