/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz loading a migration stream: the input is the whole stream, loaded
 * into a small description set (a device with nested struct, counted
 * arrays, a skipped oversize table and a subsection) and 4 pages of RAM.
 * Any input must end in success or an Error, never in a crash, an
 * out-of-bounds access or unbounded memory.
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "migration/qemu-file.h"
#include "migration/ram.h"
#include "migration/savevm.h"

typedef struct FuzzInner {
    uint16_t a;
    uint64_t b;
} FuzzInner;

typedef struct FuzzDev {
    uint32_t n;
    uint16_t arr[8];
    uint32_t nmacs;
    uint8_t macs[4][6];
    FuzzInner inner;
    uint8_t n_inner;
    FuzzInner inners[2];
    bool want_sub;
    uint64_t sub;
} FuzzDev;

static const VMStateDescription fuzz_inner = {
    .name = "fuzz-inner",
    .version_id = 1,
    .fields =
        (const VMStateField[]){
            VMSTATE_UINT16(a, FuzzInner),
            VMSTATE_UINT64(b, FuzzInner),
            VMSTATE_END_OF_LIST,
        },
};

static const VMStateDescription fuzz_sub = {
    .name = "fuzz-dev/sub",
    .version_id = 2,
    .minimum_version_id = 1,
    .fields =
        (const VMStateField[]){
            VMSTATE_UINT64(sub, FuzzDev),
            VMSTATE_END_OF_LIST,
        },
};

static const VMStateDescription fuzz_dev = {
    .name = "fuzz-dev",
    .version_id = 3,
    .minimum_version_id = 1,
    .fields =
        (const VMStateField[]){
            VMSTATE_UINT32(n, FuzzDev),
            VMSTATE_VARRAY(arr, FuzzDev, VMS_U16, n, VMS_U32),
            VMSTATE_UINT32_V(nmacs, FuzzDev, 2),
            {.name = "macs",
             .kind = VMS_ARRAY,
             .offset = offsetof(FuzzDev, macs),
             .size = 6,
             .elem = VMS_BUFFER,
             .elem_size = 6,
             .count_kind = VMS_U32,
             .count_offset = offsetof(FuzzDev, nmacs),
             .max = 4,
             .oversize = VMS_OVERSIZE_SKIP,
             .version_id = 2},
            VMSTATE_STRUCT(inner, FuzzDev, fuzz_inner),
            VMSTATE_UINT8(n_inner, FuzzDev),
            {.name = "inners",
             .kind = VMS_ARRAY,
             .offset = offsetof(FuzzDev, inners),
             .size = sizeof(FuzzInner),
             .elem = VMS_STRUCT,
             .elem_size = sizeof(FuzzInner),
             .count_kind = VMS_U8,
             .count_offset = offsetof(FuzzDev, n_inner),
             .max = 2,
             .vmsd = &fuzz_inner},
            VMSTATE_BOOL(want_sub, FuzzDev),
            VMSTATE_END_OF_LIST,
        },
    .subsections = (const VMStateDescription *const[]){&fuzz_sub, NULL},
};

static FuzzDev dev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static MemoryRegion *ram;
    QEMUFile *f;
    Error *err = NULL;

    if (!ram) {
        ram = memory_region_new_ram("fuzz.ram", 4 * 4096, &error_abort);
        ram_block_add(ram);
        ram_mig_init(&error_abort);
        vmstate_register(NULL, "fuzz-dev", 0, &fuzz_dev, &dev, &error_abort);
    }
    memset(&dev, 0, sizeof(dev));
    f = qemu_file_new_mem_input(data, size);
    if (!qemu_loadvm_state(f, &err)) {
        /* Every failure carries a message. */
        if (!err || !error_get_pretty(err)[0]) {
            __builtin_trap();
        }
        error_free(err);
    } else if (dev.n > 8 || dev.nmacs > 4 || dev.n_inner > 2) {
        /* A successful load leaves counts the arrays can hold. */
        __builtin_trap();
    }
    qemu_fclose(f);
    return 0;
}
