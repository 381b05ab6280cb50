/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot of the riscv virt board, with QEMU's layout:
 *   0x1000       reset vector in the MROM: a0 = mhartid, a1 = DTB address,
 *                a2 = &fw_dynamic_info, then jump to the start address
 *   0x80000000   firmware (-bios, default OpenSBI fw_dynamic.bin)
 *   firmware end rounded up to 2 MiB (0x80200000 with OpenSBI): -kernel
 *   kernel + min(RAM/2, 128 MiB): -initrd
 *   below min(RAM end, 3 GiB), 2 MiB aligned: the DTB
 * With -bios none the reset vector jumps to the kernel (or to RAM) in
 * M-mode, as QEMU does.
 */
#include <elf.h>
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include "hw/riscv/virt.h"
#include "virt-internal.h"

#define OPENSBI_DEFAULT \
    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
#define MiB (1024ULL * 1024)

/* OpenSBI's fw_dynamic handover block (version 2). */
#define FW_DYNAMIC_MAGIC     0x4942534fULL /* "OSBI" */
#define FW_DYNAMIC_VERSION   2
#define FW_DYNAMIC_NEXT_MODE_S 1

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static bool in_ram(VirtBoard *b, uint64_t addr, uint64_t len)
{
    return addr >= VIRT_DRAM_BASE && len <= b->ram_size &&
           addr - VIRT_DRAM_BASE <= b->ram_size - len;
}

static bool add_blob(VirtBoard *b, const char *what, uint64_t addr,
                     GBytes *data, Error **errp)
{
    VirtBlob blob = { addr, data };
    gsize len = g_bytes_get_size(data);

    if (!in_ram(b, addr, len) &&
        !(addr >= VIRT_MROM_BASE &&
          addr + len <= VIRT_MROM_BASE + VIRT_MROM_SIZE)) {
        error_setg(errp, "%s (%zu bytes at 0x%" PRIx64
                   ") does not fit in guest RAM of %" PRIu64 " MiB", what,
                   (size_t)len, addr, (uint64_t)(b->ram_size / MiB));
        g_bytes_unref(data);
        return false;
    }
    for (guint i = 0; i < b->blobs->len; i++) {
        VirtBlob *o = &g_array_index(b->blobs, VirtBlob, i);
        uint64_t olen = g_bytes_get_size(o->data);
        if (addr < o->addr + olen && o->addr < addr + len) {
            error_setg(errp, "%s at 0x%" PRIx64 " overlaps an "
                       "image loaded before it", what, addr);
            g_bytes_unref(data);
            return false;
        }
    }
    g_array_append_val(b->blobs, blob);
    return true;
}

static GBytes *read_file(const char *what, const char *path, Error **errp)
{
    gchar *contents;
    gsize len;
    GError *gerr = NULL;

    if (!g_file_get_contents(path, &contents, &len, &gerr)) {
        error_setg(errp, "could not load %s '%s': %s", what, path,
                   gerr->message);
        g_error_free(gerr);
        return NULL;
    }
    return g_bytes_new_take(contents, len);
}

/*
 * Load an ELF64 RISC-V image by its PT_LOAD segments (physical addresses).
 * Returns false with *is_elf = false when @data is not ELF.
 */
static bool load_elf(VirtBoard *b, const char *what, GBytes *data,
                     bool *is_elf, uint64_t *entry, uint64_t *end,
                     Error **errp)
{
    gsize len;
    const uint8_t *p = g_bytes_get_data(data, &len);
    Elf64_Ehdr eh;

    *is_elf = len >= 4 && !memcmp(p, ELFMAG, SELFMAG);
    if (!*is_elf) {
        return false;
    }
    if (len < sizeof(eh)) {
        error_setg(errp, "%s: truncated ELF header", what);
        return false;
    }
    memcpy(&eh, p, sizeof(eh));
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_RISCV) {
        error_setg(errp, "%s: not a 64-bit little-endian RISC-V ELF image",
                   what);
        return false;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
        (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff) {
        error_setg(errp, "%s: bad ELF program headers", what);
        return false;
    }
    *entry = eh.e_entry;
    *end = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        uint8_t *seg;

        memcpy(&ph, p + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
            ph.p_filesz > len - ph.p_offset || ph.p_memsz > b->ram_size) {
            error_setg(errp, "%s: bad ELF segment %u", what, i);
            return false;
        }
        /* The BSS part is loaded as zeros so a reset clears it too. */
        seg = g_malloc0(ph.p_memsz);
        memcpy(seg, p + ph.p_offset, ph.p_filesz);
        if (!add_blob(b, what, ph.p_paddr, g_bytes_new_take(seg, ph.p_memsz),
                      errp)) {
            return false;
        }
        *end = MAX(*end, ph.p_paddr + ph.p_memsz);
    }
    if (*end == 0) {
        error_setg(errp, "%s: ELF image has nothing to load", what);
        return false;
    }
    return true;
}

/* Load a raw image at @addr, or an ELF image where it says. */
static bool load_image(VirtBoard *b, const char *what, const char *path,
                       uint64_t addr, uint64_t *entry, uint64_t *end,
                       Error **errp)
{
    GBytes *data = read_file(what, path, errp);
    bool is_elf, ok;

    if (!data) {
        return false;
    }
    ok = load_elf(b, what, data, &is_elf, entry, end, errp);
    if (is_elf) {
        g_bytes_unref(data);
        if (!ok) {
            error_prepend(errp, "could not load %s '%s': ", what, path);
        }
        return ok;
    }
    *entry = addr;
    *end = addr + g_bytes_get_size(data);
    return add_blob(b, what, addr, data, errp);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = v >> (8 * i);
    }
}

/* The reset vector and the fw_dynamic_info block that follows it. */
static GBytes *make_mrom(uint64_t start, uint64_t fdt, uint64_t next_addr)
{
    static const uint32_t code[] = {
        0x00000297, /* auipc t0, 0            t0 = 0x1000 */
        0x02828613, /* addi  a2, t0, 40       a2 = &fw_dynamic_info */
        0xf1402573, /* csrr  a0, mhartid */
        0x0202b583, /* ld    a1, 32(t0)       DTB address */
        0x0182b283, /* ld    t0, 24(t0)       start address */
        0x00028067, /* jr    t0 */
    };
    uint8_t *rom = g_malloc0(40 + 6 * 8);

    for (unsigned i = 0; i < G_N_ELEMENTS(code); i++) {
        put_le32(rom + 4 * i, code[i]);
    }
    put_le64(rom + 24, start);
    put_le64(rom + 32, fdt);
    put_le64(rom + 40, FW_DYNAMIC_MAGIC);
    put_le64(rom + 48, FW_DYNAMIC_VERSION);
    put_le64(rom + 56, next_addr);
    put_le64(rom + 64, FW_DYNAMIC_NEXT_MODE_S);
    put_le64(rom + 72, 0);  /* options */
    put_le64(rom + 80, 0);  /* boot hart: hart 0 boots, as on QEMU */
    return g_bytes_new_take(rom, 40 + 6 * 8);
}

/* Where the firmware comes from: NULL for none. */
static const char *firmware_path(VirtBoard *b)
{
    const char *bios = b->ms->bios;

    if (bios && !strcmp(bios, "none")) {
        return NULL;
    }
    if (!bios || !strcmp(bios, "default")) {
        /* Without a CPU (qtest) the default firmware is not needed. */
        return b->cpus ? OPENSBI_DEFAULT : NULL;
    }
    return bios;
}

static bool place_dtb(VirtBoard *b, const VirtCpuInfo *ci, Error **errp)
{
    uint64_t ram_end = VIRT_DRAM_BASE + b->ram_size;
    uint64_t top = MIN(ram_end, 3072 * MiB);
    void *fdt = virt_fdt_build(b, ci, errp);
    uint64_t size;

    if (!fdt) {
        return false;
    }
    size = fdt_totalsize(fdt);
    if (top - VIRT_DRAM_BASE < size) {
        error_setg(errp, "no room for the device tree in guest RAM");
        g_free(fdt);
        return false;
    }
    b->fdt_addr = (top - size) & ~(2 * MiB - 1);
    if (b->fdt_addr < VIRT_DRAM_BASE) {
        b->fdt_addr = VIRT_DRAM_BASE; /* tiny RAM: use what there is */
    }
    if (b->ms->dumpdtb) {
        GError *gerr = NULL;
        if (!g_file_set_contents(b->ms->dumpdtb, fdt, size, &gerr)) {
            error_setg(errp, "cannot write the device tree to '%s': %s",
                       b->ms->dumpdtb, gerr->message);
            g_error_free(gerr);
            g_free(fdt);
            return false;
        }
        g_free(fdt);
        exit(0); /* as QEMU: dumpdtb writes the blob and ends */
    }
    return add_blob(b, "device tree", b->fdt_addr,
                    g_bytes_new_take(fdt, size), errp);
}

bool virt_boot_setup(VirtBoard *b, const VirtCpuInfo *ci, Error **errp)
{
    const char *fw = firmware_path(b);
    uint64_t fw_entry = VIRT_DRAM_BASE, fw_end = VIRT_DRAM_BASE;
    uint64_t kernel_entry = 0, kernel_end, start;

    if (fw && !load_image(b, "firmware", fw, VIRT_DRAM_BASE, &fw_entry,
                          &fw_end, errp)) {
        if (fw == (const char *)OPENSBI_DEFAULT) {
            error_append_hint(errp, "The default firmware comes from "
                              "Debian's opensbi package.\n");
        }
        return false;
    }
    if (b->ms->kernel) {
        uint64_t kaddr = align_up(fw_end, 2 * MiB);
        if (!load_image(b, "kernel", b->ms->kernel, kaddr, &kernel_entry,
                        &kernel_end, errp)) {
            return false;
        }
        if (b->ms->initrd) {
            GBytes *rd = read_file("initrd", b->ms->initrd, errp);
            if (!rd) {
                return false;
            }
            b->initrd_start = kernel_entry + MIN(b->ram_size / 2, 128 * MiB);
            b->initrd_end = b->initrd_start + g_bytes_get_size(rd);
            if (!add_blob(b, "initrd", b->initrd_start, rd, errp)) {
                return false;
            }
        }
    } else if (b->ms->initrd) {
        error_setg(errp, "-initrd needs -kernel");
        return false;
    }
    if (!place_dtb(b, ci, errp)) {
        return false;
    }
    /* Firmware runs first and gets the kernel through fw_dynamic_info;
     * without firmware the kernel starts directly in M-mode. */
    start = fw ? fw_entry : (b->ms->kernel ? kernel_entry : VIRT_DRAM_BASE);
    return add_blob(b, "reset vector", VIRT_MROM_BASE,
                    make_mrom(start, b->fdt_addr, kernel_entry), errp);
}

void virt_boot_copy_blobs(VirtBoard *b)
{
    for (guint i = 0; i < b->blobs->len; i++) {
        VirtBlob *o = &g_array_index(b->blobs, VirtBlob, i);
        gsize len;
        const void *data = g_bytes_get_data(o->data, &len);
        uint8_t *dst = o->addr >= VIRT_DRAM_BASE
                           ? b->ram + (o->addr - VIRT_DRAM_BASE)
                           : b->mrom_ptr + (o->addr - VIRT_MROM_BASE);
        memcpy(dst, data, len);
    }
}
