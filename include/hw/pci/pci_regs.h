/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI and PCI Express configuration space layout (register numbers and
 * bits from the PCI Local Bus and PCI Express Base specifications). */
#ifndef HW_PCI_PCI_REGS_H
#define HW_PCI_PCI_REGS_H

#define PCI_VENDOR_ID                  0x00
#define PCI_DEVICE_ID                  0x02
#define PCI_COMMAND                    0x04
#define PCI_COMMAND_IO                 0x0001
#define PCI_COMMAND_MEMORY             0x0002
#define PCI_COMMAND_MASTER             0x0004
#define PCI_COMMAND_PARITY             0x0040
#define PCI_COMMAND_SERR               0x0100
#define PCI_COMMAND_INTX_DISABLE       0x0400
#define PCI_STATUS                     0x06
#define PCI_STATUS_INTERRUPT           0x0008
#define PCI_STATUS_CAP_LIST            0x0010
#define PCI_STATUS_W1C                 0xf900 /* parity, aborts, SERR, parity det. */
#define PCI_REVISION_ID                0x08
#define PCI_CLASS_PROG                 0x09
#define PCI_CLASS_DEVICE               0x0a
#define PCI_CACHE_LINE_SIZE            0x0c
#define PCI_LATENCY_TIMER              0x0d
#define PCI_HEADER_TYPE                0x0e
#define PCI_HEADER_TYPE_NORMAL         0x00
#define PCI_HEADER_TYPE_BRIDGE         0x01
#define PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0             0x10
#define PCI_BASE_ADDRESS_SPACE_IO      0x01
#define PCI_BASE_ADDRESS_SPACE_MEMORY  0x00
#define PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define PCI_SUBSYSTEM_VENDOR_ID        0x2c
#define PCI_SUBSYSTEM_ID               0x2e
#define PCI_ROM_ADDRESS                0x30
#define PCI_CAPABILITY_LIST            0x34
#define PCI_INTERRUPT_LINE             0x3c
#define PCI_INTERRUPT_PIN              0x3d

/* Type 1 (bridge) header */
#define PCI_PRIMARY_BUS        0x18
#define PCI_SECONDARY_BUS      0x19
#define PCI_SUBORDINATE_BUS    0x1a
#define PCI_IO_BASE            0x1c
#define PCI_IO_LIMIT           0x1d
#define PCI_SEC_STATUS         0x1e
#define PCI_MEMORY_BASE        0x20
#define PCI_MEMORY_LIMIT       0x22
#define PCI_PREF_MEMORY_BASE   0x24
#define PCI_PREF_MEMORY_LIMIT  0x26
#define PCI_PREF_BASE_UPPER32  0x28
#define PCI_PREF_LIMIT_UPPER32 0x2c
#define PCI_IO_BASE_UPPER16    0x30
#define PCI_IO_LIMIT_UPPER16   0x32
#define PCI_ROM_ADDRESS1       0x38
#define PCI_BRIDGE_CONTROL     0x3e

/* Capability list entries */
#define PCI_CAP_LIST_ID   0
#define PCI_CAP_LIST_NEXT 1
#define PCI_CAP_ID_PM     0x01
#define PCI_CAP_ID_MSI    0x05
#define PCI_CAP_ID_VNDR   0x09
#define PCI_CAP_ID_EXP    0x10
#define PCI_CAP_ID_MSIX   0x11

/* MSI-X capability */
#define PCI_MSIX_FLAGS              2
#define PCI_MSIX_FLAGS_QSIZE        0x07ff
#define PCI_MSIX_FLAGS_MASKALL      0x4000
#define PCI_MSIX_FLAGS_ENABLE       0x8000
#define PCI_MSIX_TABLE              4
#define PCI_MSIX_PBA                8
#define PCI_MSIX_BIR_MASK           0x7
#define PCI_MSIX_CAP_SIZE           12
#define PCI_MSIX_ENTRY_SIZE         16
#define PCI_MSIX_ENTRY_ADDR_LO      0
#define PCI_MSIX_ENTRY_ADDR_HI      4
#define PCI_MSIX_ENTRY_DATA         8
#define PCI_MSIX_ENTRY_CTRL         12
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 1

/* PCI Express capability */
#define PCI_EXP_FLAGS            2
#define PCI_EXP_FLAGS_SLOT       0x0100
#define PCI_EXP_TYPE_ENDPOINT    0x0
#define PCI_EXP_TYPE_ROOT_PORT   0x4
#define PCI_EXP_TYPE_RC_END      0x9
#define PCI_EXP_DEVCAP           4
#define PCI_EXP_DEVCTL           8
#define PCI_EXP_DEVSTA           10
#define PCI_EXP_LNKCAP           12
#define PCI_EXP_LNKCTL           16
#define PCI_EXP_LNKSTA           18
#define PCI_EXP_LNKSTA_CLS_2_5GB 0x0001
#define PCI_EXP_LNKSTA_NLW_X1    0x0010
#define PCI_EXP_LNKSTA_DLLLA     0x2000
#define PCI_EXP_SLTCAP           20
#define PCI_EXP_SLTCAP_ABP       0x00000001
#define PCI_EXP_SLTCAP_PCP       0x00000002
#define PCI_EXP_SLTCAP_AIP       0x00000008
#define PCI_EXP_SLTCAP_PIP       0x00000010
#define PCI_EXP_SLTCAP_HPC       0x00000040
#define PCI_EXP_SLTCAP_PSN_SHIFT 19
#define PCI_EXP_SLTCTL           24
#define PCI_EXP_SLTCTL_ABPE      0x0001
#define PCI_EXP_SLTCTL_PDCE      0x0008
#define PCI_EXP_SLTCTL_CCIE      0x0010
#define PCI_EXP_SLTCTL_HPIE      0x0020
#define PCI_EXP_SLTCTL_AIC       0x00c0
#define PCI_EXP_SLTCTL_PIC       0x0300
#define PCI_EXP_SLTCTL_PCC       0x0400
#define PCI_EXP_SLTCTL_DLLSCE    0x1000
#define PCI_EXP_SLTSTA           26
#define PCI_EXP_SLTSTA_ABP       0x0001
#define PCI_EXP_SLTSTA_PDC       0x0008
#define PCI_EXP_SLTSTA_CC        0x0010
#define PCI_EXP_SLTSTA_PDS       0x0040
#define PCI_EXP_SLTSTA_DLLSC     0x0100
#define PCI_EXP_RTCTL            28
#define PCI_EXP_RTSTA            32
#define PCI_EXP_DEVCAP2          36
#define PCI_EXP_DEVCTL2          40
#define PCI_EXP_LNKCAP2          44
#define PCI_EXP_LNKCTL2          48
#define PCI_EXP_LNKSTA2          50
#define PCI_EXP_CAP_SIZE         0x3c

#define PCI_CONFIG_SPACE_SIZE  0x100
#define PCIE_CONFIG_SPACE_SIZE 0x1000

#endif
