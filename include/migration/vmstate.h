/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device state as data: a VMStateDescription lists the fields of a C struct
 * (kind, offset, size, from which version on) and one table drives saving,
 * loading and the JSON description that QEMU's analyze-migration.py reads.
 *
 * Wire format (QEMU's): scalars big-endian; bool as one byte; buffers raw;
 * arrays element after element with no count of their own (the count is
 * another field, saved earlier); nested structs inline; then subsections,
 * each as 0x05, u8 name length, name, be32 version, fields.
 *
 * Loading never trusts the stream: counts are checked against the field's
 * maximum, subsection names against the description, versions against the
 * supported range, and every failure is an Error naming the field and the
 * description.
 */
#ifndef MIGRATION_VMSTATE_H
#define MIGRATION_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "migration/qemu-file.h"
#include "util/error.h"

typedef struct VMStateDescription VMStateDescription;
typedef struct VMStateField VMStateField;

typedef enum VMStateKind {
    VMS_END = 0, /* terminates a field list */
    VMS_U8,
    VMS_U16,
    VMS_U32,
    VMS_U64,
    VMS_I32,
    VMS_I64,
    VMS_BOOL,   /* bool in memory, one byte 0/1 on the wire */
    VMS_BUFFER, /* .size raw bytes */
    VMS_STRUCT, /* nested .vmsd, no header of its own */
    VMS_CUSTOM, /* .info->get / .info->put */
    VMS_ARRAY,  /* elements of kind .elem, .size bytes apart in memory */
} VMStateKind;

/* What to do with an array whose count in the stream exceeds .max. */
typedef enum VMStateOversize {
    VMS_OVERSIZE_REFUSE, /* fail the load */
    VMS_OVERSIZE_SKIP,   /* skip the elements and set the count to 0 */
} VMStateOversize;

/* Hand-written part of a struct.  @ptr points at the field. */
typedef struct VMStateInfo {
    const char *name; /* "type" in the JSON description */
    bool (*get)(QEMUFile *f, void *opaque, void *ptr, const VMStateField *field,
                Error **errp);
    bool (*put)(QEMUFile *f, void *opaque, void *ptr, const VMStateField *field,
                Error **errp);
} VMStateInfo;

struct VMStateField {
    const char *name;
    VMStateKind kind;
    size_t offset;
    size_t size; /* BUFFER: bytes; ARRAY: element stride; STRUCT: sizeof */
    /* ARRAY: element kind (a scalar, BUFFER of .elem_size bytes, STRUCT). */
    VMStateKind elem;
    size_t elem_size;
    /* ARRAY: the count is the field at .count_offset of kind .count_kind
     * (U8/U16/U32/I32); with VMS_END the count is always .max. */
    VMStateKind count_kind;
    size_t count_offset;
    uint32_t max; /* ARRAY: capacity of the memory, in elements */
    VMStateOversize oversize;
    int version_id; /* in the stream from this version on (0: always) */
    /* Optional: the field is in the stream only when this says so. */
    bool (*exists)(void *opaque, int version_id);
    const VMStateDescription *vmsd; /* STRUCT, ARRAY of STRUCT */
    const VMStateInfo *info;        /* CUSTOM */
};

struct VMStateDescription {
    const char *name;
    int version_id;
    int minimum_version_id;
    /* Never migratable: registering it blocks migration. */
    bool unmigratable;
    const VMStateField *fields; /* ends with a VMS_END entry */
    /* NULL-terminated; each name is "<this name>/<something>". */
    const VMStateDescription *const *subsections;
    /* Subsections: written only when this returns true (NULL: always). */
    bool (*needed)(void *opaque);
    bool (*pre_save)(void *opaque, Error **errp);
    bool (*pre_load)(void *opaque, Error **errp);
    bool (*post_load)(void *opaque, int version_id, Error **errp);
};

/* ---- field table helpers ---- */
#define VMSTATE_SCALAR_V(_f, _s, _k, _v)                                       \
    {                                                                          \
        .name = #_f, .kind = (_k), .offset = offsetof(_s, _f),                 \
        .size = sizeof(((_s *)0)->_f), .version_id = (_v)                      \
    }
#define VMSTATE_UINT8_V(f, s, v)  VMSTATE_SCALAR_V(f, s, VMS_U8, v)
#define VMSTATE_UINT16_V(f, s, v) VMSTATE_SCALAR_V(f, s, VMS_U16, v)
#define VMSTATE_UINT32_V(f, s, v) VMSTATE_SCALAR_V(f, s, VMS_U32, v)
#define VMSTATE_UINT64_V(f, s, v) VMSTATE_SCALAR_V(f, s, VMS_U64, v)
#define VMSTATE_INT32_V(f, s, v)  VMSTATE_SCALAR_V(f, s, VMS_I32, v)
#define VMSTATE_INT64_V(f, s, v)  VMSTATE_SCALAR_V(f, s, VMS_I64, v)
#define VMSTATE_BOOL_V(f, s, v)   VMSTATE_SCALAR_V(f, s, VMS_BOOL, v)
#define VMSTATE_UINT8(f, s)       VMSTATE_UINT8_V(f, s, 0)
#define VMSTATE_UINT16(f, s)      VMSTATE_UINT16_V(f, s, 0)
#define VMSTATE_UINT32(f, s)      VMSTATE_UINT32_V(f, s, 0)
#define VMSTATE_UINT64(f, s)      VMSTATE_UINT64_V(f, s, 0)
#define VMSTATE_INT32(f, s)       VMSTATE_INT32_V(f, s, 0)
#define VMSTATE_INT64(f, s)       VMSTATE_INT64_V(f, s, 0)
#define VMSTATE_BOOL(f, s)        VMSTATE_BOOL_V(f, s, 0)
/* A byte array member saved whole. */
#define VMSTATE_BUFFER(f, s) VMSTATE_SCALAR_V(f, s, VMS_BUFFER, 0)
#define VMSTATE_STRUCT(f, s, _vmsd)                                            \
    {                                                                          \
        .name = #f, .kind = VMS_STRUCT, .offset = offsetof(s, f),              \
        .size = sizeof(((s *)0)->f), .vmsd = &(_vmsd)                          \
    }
#define VMSTATE_CUSTOM(f, s, _info)                                            \
    {                                                                          \
        .name = #f, .kind = VMS_CUSTOM, .offset = offsetof(s, f),              \
        .size = sizeof(((s *)0)->f), .info = &(_info)                          \
    }
/* Array member f[] of scalars of kind _k whose count is member _n (kind
 * _nk); the array's declared length is the maximum. */
#define VMSTATE_VARRAY(f, s, _k, _n, _nk)                                      \
    {                                                                          \
        .name = #f, .kind = VMS_ARRAY, .offset = offsetof(s, f),               \
        .size = sizeof(((s *)0)->f[0]), .elem = (_k),                          \
        .elem_size = sizeof(((s *)0)->f[0]), .count_kind = (_nk),              \
        .count_offset = offsetof(s, _n),                                       \
        .max = sizeof(((s *)0)->f) / sizeof(((s *)0)->f[0])                    \
    }
#define VMSTATE_END_OF_LIST                                                    \
    {                                                                          \
        .kind = VMS_END                                                        \
    }

/* Save the fields and needed subsections of @opaque.  With @vmdesc (a JSON
 * object), fill it with the description QEMU writes: vmsd_name, version,
 * fields, subsections. */
bool vmstate_save(QEMUFile *f, const VMStateDescription *vmsd, void *opaque,
                  json_t *vmdesc, Error **errp);
/* Load what a version @version_id source wrote. */
bool vmstate_load(QEMUFile *f, const VMStateDescription *vmsd, void *opaque,
                  int version_id, Error **errp);

#endif
