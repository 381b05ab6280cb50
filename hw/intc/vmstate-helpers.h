/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Field kinds the device descriptions of hw/intc, hw/char and hw/pci share:
 *
 * - VMSTATE_SAME_U32: a dimension the destination was built with (number
 *   of sources, harts, vectors...).  It is in the stream so that a
 *   differently configured source is refused by name instead of
 *   misreading the rest.
 * - VMSTATE_U32_PTR_ARRAY / VMSTATE_U8_PTR_BUFFER: an array the device
 *   allocated itself (a pointer member), whose length is another unsigned
 *   member.  On the wire: the elements only, like QEMU's fixed arrays; the
 *   length is configuration both sides agree on (checked by a
 *   VMSTATE_SAME_U32 saved before it).
 */
#ifndef HW_INTC_VMSTATE_HELPERS_H
#define HW_INTC_VMSTATE_HELPERS_H

#include <glib.h>
#include "migration/vmstate.h"

static inline unsigned vmstate_helper_count(void *opaque,
                                            const VMStateField *field)
{
    return *(unsigned *)((uint8_t *)opaque + field->count_offset);
}

static bool vmstate_helper_get_same_u32(QEMUFile *f, void *opaque, void *ptr,
                                        const VMStateField *field, Error **errp)
{
    uint32_t v = qemu_get_be32(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v != *(uint32_t *)ptr) {
        error_setg(errp, "%s is %u in the stream but %u here", field->name, v,
                   *(uint32_t *)ptr);
        return false;
    }
    return true;
}

static bool vmstate_helper_put_u32(QEMUFile *f, void *opaque, void *ptr,
                                   const VMStateField *field, Error **errp)
{
    qemu_put_be32(f, *(uint32_t *)ptr);
    return true;
}

static bool vmstate_helper_get_u32_array(QEMUFile *f, void *opaque, void *ptr,
                                         const VMStateField *field,
                                         Error **errp)
{
    uint32_t *a = *(uint32_t **)ptr;
    unsigned n = vmstate_helper_count(opaque, field);

    for (unsigned i = 0; i < n; i++) {
        a[i] = qemu_get_be32(f);
    }
    return qemu_file_check_error(f, errp);
}

static bool vmstate_helper_put_u32_array(QEMUFile *f, void *opaque, void *ptr,
                                         const VMStateField *field,
                                         Error **errp)
{
    const uint32_t *a = *(uint32_t **)ptr;
    unsigned n = vmstate_helper_count(opaque, field);

    for (unsigned i = 0; i < n; i++) {
        qemu_put_be32(f, a[i]);
    }
    return true;
}

static bool vmstate_helper_get_u8_buffer(QEMUFile *f, void *opaque, void *ptr,
                                         const VMStateField *field,
                                         Error **errp)
{
    qemu_get_buffer(f, *(uint8_t **)ptr, vmstate_helper_count(opaque, field));
    return qemu_file_check_error(f, errp);
}

static bool vmstate_helper_put_u8_buffer(QEMUFile *f, void *opaque, void *ptr,
                                         const VMStateField *field,
                                         Error **errp)
{
    qemu_put_buffer(f, *(uint8_t **)ptr, vmstate_helper_count(opaque, field));
    return true;
}

static const VMStateInfo vmstate_info_same_u32 __attribute__((unused)) = {
    "uint32", vmstate_helper_get_same_u32, vmstate_helper_put_u32};
static const VMStateInfo vmstate_info_u32_ptr_array __attribute__((unused)) = {
    "uint32", vmstate_helper_get_u32_array, vmstate_helper_put_u32_array};
static const VMStateInfo vmstate_info_u8_ptr_buffer __attribute__((unused)) = {
    "buffer", vmstate_helper_get_u8_buffer, vmstate_helper_put_u8_buffer};

/* Member @f (uint32_t / unsigned) must be equal on both sides. */
#define VMSTATE_SAME_U32(f, s)                                                 \
    {                                                                          \
        .name = #f, .kind = VMS_CUSTOM, .offset = offsetof(s, f),              \
        .size = sizeof(uint32_t), .info = &vmstate_info_same_u32               \
    }
/* uint32_t *f with unsigned member _n elements. */
#define VMSTATE_U32_PTR_ARRAY(f, s, _n)                                        \
    {                                                                          \
        .name = #f, .kind = VMS_CUSTOM, .offset = offsetof(s, f),              \
        .size = sizeof(void *), .count_offset = offsetof(s, _n),               \
        .info = &vmstate_info_u32_ptr_array                                    \
    }
/* uint8_t *f with unsigned member _n bytes. */
#define VMSTATE_U8_PTR_BUFFER(f, s, _n)                                        \
    {                                                                          \
        .name = #f, .kind = VMS_CUSTOM, .offset = offsetof(s, f),              \
        .size = sizeof(void *), .count_offset = offsetof(s, _n),               \
        .info = &vmstate_info_u8_ptr_buffer                                    \
    }

#endif
