/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The field-table engine: save, load and describe a VMStateDescription. */
#include <string.h>
#include <glib.h>
#include "migration/vmstate.h"

#define QEMU_VM_SUBSECTION 0x05

static void *field_ptr(void *opaque, const VMStateField *field)
{
    return (uint8_t *)opaque + field->offset;
}

static const char *kind_type_name(VMStateKind kind, const VMStateField *field)
{
    switch (kind) {
    case VMS_U8:
        return "uint8";
    case VMS_U16:
        return "uint16";
    case VMS_U32:
        return "uint32";
    case VMS_U64:
        return "uint64";
    case VMS_I32:
        return "int32";
    case VMS_I64:
        return "int64";
    case VMS_BOOL:
        return "bool";
    case VMS_BUFFER:
        return "buffer";
    case VMS_STRUCT:
        return "struct";
    case VMS_CUSTOM:
        return field->info->name;
    default:
        return "unknown";
    }
}

/* Bytes one element of @kind takes on the wire; 0 when not fixed. */
static size_t kind_wire_size(VMStateKind kind, size_t elem_size)
{
    switch (kind) {
    case VMS_U8:
    case VMS_BOOL:
        return 1;
    case VMS_U16:
        return 2;
    case VMS_U32:
    case VMS_I32:
        return 4;
    case VMS_U64:
    case VMS_I64:
        return 8;
    case VMS_BUFFER:
        return elem_size;
    default:
        return 0;
    }
}

/* The element count of an array field, read from its count member. */
static bool array_count(void *opaque, const VMStateField *field,
                        uint64_t *count)
{
    void *p = (uint8_t *)opaque + field->count_offset;
    int32_t s;

    switch (field->count_kind) {
    case VMS_END:
        *count = field->max;
        return true;
    case VMS_U8:
        *count = *(uint8_t *)p;
        return true;
    case VMS_U16:
        *count = *(uint16_t *)p;
        return true;
    case VMS_U32:
        *count = *(uint32_t *)p;
        return true;
    case VMS_I32:
        memcpy(&s, p, sizeof(s));
        *count = s < 0 ? UINT64_MAX : (uint64_t)s;
        return s >= 0;
    default:
        g_assert_not_reached();
    }
}

static void array_count_clear(void *opaque, const VMStateField *field)
{
    void *p = (uint8_t *)opaque + field->count_offset;
    size_t n = kind_wire_size(field->count_kind, 0);

    if (field->count_kind != VMS_END) {
        memset(p, 0, n);
    }
}

/* ---- saving ---- */

static bool save_one(QEMUFile *f, void *opaque, VMStateKind kind, void *p,
                     const VMStateField *field, size_t size,
                     json_t *struct_desc, Error **errp)
{
    switch (kind) {
    case VMS_U8:
        qemu_put_byte(f, *(uint8_t *)p);
        break;
    case VMS_BOOL:
        qemu_put_byte(f, *(bool *)p ? 1 : 0);
        break;
    case VMS_U16:
        qemu_put_be16(f, *(uint16_t *)p);
        break;
    case VMS_U32:
    case VMS_I32:
        qemu_put_be32(f, *(uint32_t *)p);
        break;
    case VMS_U64:
    case VMS_I64:
        qemu_put_be64(f, *(uint64_t *)p);
        break;
    case VMS_BUFFER:
        qemu_put_buffer(f, p, size);
        break;
    case VMS_STRUCT:
        return vmstate_save(f, field->vmsd, p, struct_desc, errp);
    case VMS_CUSTOM:
        return field->info->put(f, opaque, p, field, errp);
    default:
        g_assert_not_reached();
    }
    return true;
}

static json_t *field_desc_new(const VMStateField *field, VMStateKind kind)
{
    return json_pack("{s:s, s:s}", "name", field->name, "type",
                     kind_type_name(kind, field));
}

static bool save_field(QEMUFile *f, const VMStateDescription *vmsd,
                       void *opaque, const VMStateField *field,
                       json_t *fields_desc, Error **errp)
{
    bool is_array = field->kind == VMS_ARRAY;
    VMStateKind kind = is_array ? field->elem : field->kind;
    size_t size = is_array ? field->elem_size : field->size;
    uint64_t n = 1;
    json_t *desc = NULL, *sdesc = NULL;
    uint64_t start;

    if (is_array && (!array_count(opaque, field, &n) || n > field->max)) {
        error_setg(errp,
                   "%s: array '%s' claims %" G_GUINT64_FORMAT
                   " elements, more than its %u",
                   vmsd->name, field->name, n, field->max);
        return false;
    }
    if (fields_desc && n) {
        desc = field_desc_new(field, kind);
        if (kind == VMS_STRUCT) {
            sdesc = json_object();
        }
    }
    for (uint64_t i = 0; i < n; i++) {
        void *p = (uint8_t *)field_ptr(opaque, field) + i * field->size;
        start = qemu_file_transferred(f);
        if (!save_one(f, opaque, kind, p, field, size, i ? NULL : sdesc,
                      errp)) {
            error_prepend(errp, "%s: field '%s': ", vmsd->name, field->name);
            json_decref(desc);
            json_decref(sdesc);
            return false;
        }
        if (desc && i == 0) {
            /* QEMU describes an array once, by its first element. */
            json_object_set_new(desc, "size",
                                json_integer(qemu_file_transferred(f) - start));
        }
    }
    if (desc) {
        if (is_array) {
            json_object_set_new(desc, "array_len", json_integer(n));
        }
        if (sdesc) {
            json_object_set_new(desc, "struct", sdesc);
        }
        json_array_append_new(fields_desc, desc);
    }
    return true;
}

static bool field_in_save(const VMStateDescription *vmsd, void *opaque,
                          const VMStateField *field)
{
    return field->version_id <= vmsd->version_id &&
           (!field->exists || field->exists(opaque, vmsd->version_id));
}

static bool save_subsections(QEMUFile *f, const VMStateDescription *vmsd,
                             void *opaque, json_t *vmdesc, Error **errp)
{
    json_t *subs = vmdesc ? json_array() : NULL;

    for (int i = 0; vmsd->subsections && vmsd->subsections[i]; i++) {
        const VMStateDescription *sub = vmsd->subsections[i];
        size_t len = strlen(sub->name);
        json_t *sdesc = subs ? json_object() : NULL;

        if (sub->needed && !sub->needed(opaque)) {
            json_decref(sdesc);
            continue;
        }
        g_assert(len <= 255);
        qemu_put_byte(f, QEMU_VM_SUBSECTION);
        qemu_put_byte(f, len);
        qemu_put_buffer(f, sub->name, len);
        qemu_put_be32(f, sub->version_id);
        if (!vmstate_save(f, sub, opaque, sdesc, errp)) {
            json_decref(sdesc);
            json_decref(subs);
            return false;
        }
        if (subs) {
            json_array_append_new(subs, sdesc);
        }
    }
    if (subs && json_array_size(subs)) {
        json_object_set_new(vmdesc, "subsections", subs);
    } else {
        json_decref(subs);
    }
    return true;
}

bool vmstate_save(QEMUFile *f, const VMStateDescription *vmsd, void *opaque,
                  json_t *vmdesc, Error **errp)
{
    json_t *fields = vmdesc ? json_array() : NULL;

    if (vmsd->pre_save && !vmsd->pre_save(opaque, errp)) {
        error_prepend(errp, "%s: ", vmsd->name);
        json_decref(fields);
        return false;
    }
    if (vmdesc) {
        json_object_set_new(vmdesc, "vmsd_name", json_string(vmsd->name));
        json_object_set_new(vmdesc, "version", json_integer(vmsd->version_id));
        json_object_set_new(vmdesc, "fields", fields);
    }
    for (const VMStateField *fl = vmsd->fields; fl && fl->kind != VMS_END;
         fl++) {
        if (field_in_save(vmsd, opaque, fl) &&
            !save_field(f, vmsd, opaque, fl, fields, errp)) {
            return false;
        }
    }
    if (!save_subsections(f, vmsd, opaque, vmdesc, errp)) {
        return false;
    }
    return qemu_file_check_error(f, errp);
}

/* ---- loading ---- */

static bool load_one(QEMUFile *f, void *opaque, VMStateKind kind, void *p,
                     const VMStateField *field, size_t size, Error **errp)
{
    switch (kind) {
    case VMS_U8:
        *(uint8_t *)p = qemu_get_byte(f);
        break;
    case VMS_BOOL:
        *(bool *)p = qemu_get_byte(f) != 0;
        break;
    case VMS_U16:
        *(uint16_t *)p = qemu_get_be16(f);
        break;
    case VMS_U32:
    case VMS_I32:
        *(uint32_t *)p = qemu_get_be32(f);
        break;
    case VMS_U64:
    case VMS_I64:
        *(uint64_t *)p = qemu_get_be64(f);
        break;
    case VMS_BUFFER:
        qemu_get_buffer(f, p, size);
        break;
    case VMS_STRUCT:
        return vmstate_load(f, field->vmsd, p, field->vmsd->version_id, errp);
    case VMS_CUSTOM:
        return field->info->get(f, opaque, p, field, errp);
    default:
        g_assert_not_reached();
    }
    return qemu_file_check_error(f, errp);
}

/* An array count from the stream that does not fit the memory. */
static bool load_oversize(QEMUFile *f, void *opaque, const VMStateField *field,
                          uint64_t n, bool valid, Error **errp)
{
    size_t wire = kind_wire_size(field->elem, field->elem_size);

    if (valid && field->oversize == VMS_OVERSIZE_SKIP && wire) {
        /* Keep the stream in step, drop the data, leave a sane count. */
        qemu_file_skip(f, n * wire);
        array_count_clear(opaque, field);
        return qemu_file_check_error(f, errp);
    }
    if (!valid) {
        error_setg(errp, "negative element count");
    } else {
        error_setg(errp,
                   "%" G_GUINT64_FORMAT " elements in the stream, "
                   "at most %u fit",
                   n, field->max);
    }
    return false;
}

static bool load_field(QEMUFile *f, void *opaque, const VMStateField *field,
                       Error **errp)
{
    uint64_t n = 1;
    bool valid;

    if (field->kind != VMS_ARRAY) {
        return load_one(f, opaque, field->kind, field_ptr(opaque, field), field,
                        field->size, errp);
    }
    valid = array_count(opaque, field, &n);
    if (!valid || n > field->max) {
        return load_oversize(f, opaque, field, n, valid, errp);
    }
    for (uint64_t i = 0; i < n; i++) {
        void *p = (uint8_t *)field_ptr(opaque, field) + i * field->size;
        if (!load_one(f, opaque, field->elem, p, field, field->elem_size,
                      errp)) {
            return false;
        }
    }
    return true;
}

/* Read the name of the subsection ahead without consuming it; NULL when
 * there is none. */
static char *peek_subsection_name(QEMUFile *f)
{
    int len;
    char name[256];

    if (qemu_peek_byte(f, 0) != QEMU_VM_SUBSECTION) {
        return NULL;
    }
    len = qemu_peek_byte(f, 1);
    if (len < 0) {
        return NULL;
    }
    for (int i = 0; i < len; i++) {
        int c = qemu_peek_byte(f, 2 + i);
        if (c < 0) {
            return NULL;
        }
        name[i] = c;
    }
    name[len] = 0;
    return g_strdup(name);
}

static const VMStateDescription *find_subsection(const VMStateDescription *vmsd,
                                                 const char *name)
{
    for (int i = 0; vmsd->subsections && vmsd->subsections[i]; i++) {
        if (!strcmp(vmsd->subsections[i]->name, name)) {
            return vmsd->subsections[i];
        }
    }
    return NULL;
}

static bool load_subsections(QEMUFile *f, const VMStateDescription *vmsd,
                             void *opaque, Error **errp)
{
    char *name;

    while ((name = peek_subsection_name(f))) {
        size_t plen = strlen(vmsd->name);
        const VMStateDescription *sub;
        uint32_t version;

        /* Not ours: it belongs to an enclosing description. */
        if (strncmp(name, vmsd->name, plen) || name[plen] != '/') {
            g_free(name);
            return true;
        }
        sub = find_subsection(vmsd, name);
        if (!sub) {
            error_setg(errp, "%s: unknown subsection '%s' in the stream",
                       vmsd->name, name);
            g_free(name);
            return false;
        }
        qemu_file_skip(f, 2 + strlen(name));
        version = qemu_get_be32(f);
        g_free(name);
        if (!qemu_file_check_error(f, errp)) {
            error_prepend(errp, "%s: version of subsection '%s': ", vmsd->name,
                          sub->name);
            return false;
        }
        if (!vmstate_load(f, sub, opaque,
                          version > INT32_MAX ? -1 : (int)version, errp)) {
            return false;
        }
    }
    return true;
}

static bool check_version(const VMStateDescription *vmsd, int version_id,
                          Error **errp)
{
    if (version_id > vmsd->version_id || version_id < 0) {
        error_setg(errp,
                   "%s: version %d in the stream is newer than "
                   "the supported %d",
                   vmsd->name, version_id, vmsd->version_id);
        return false;
    }
    if (version_id < vmsd->minimum_version_id) {
        error_setg(errp,
                   "%s: version %d in the stream is older than "
                   "the oldest supported %d",
                   vmsd->name, version_id, vmsd->minimum_version_id);
        return false;
    }
    return true;
}

bool vmstate_load(QEMUFile *f, const VMStateDescription *vmsd, void *opaque,
                  int version_id, Error **errp)
{
    if (!check_version(vmsd, version_id, errp)) {
        return false;
    }
    if (vmsd->pre_load && !vmsd->pre_load(opaque, errp)) {
        error_prepend(errp, "%s: ", vmsd->name);
        return false;
    }
    for (const VMStateField *fl = vmsd->fields; fl && fl->kind != VMS_END;
         fl++) {
        if (fl->version_id > version_id ||
            (fl->exists && !fl->exists(opaque, version_id))) {
            continue;
        }
        if (!load_field(f, opaque, fl, errp)) {
            error_prepend(errp, "%s: field '%s': ", vmsd->name, fl->name);
            return false;
        }
    }
    if (!load_subsections(f, vmsd, opaque, errp)) {
        return false;
    }
    if (vmsd->post_load && !vmsd->post_load(opaque, version_id, errp)) {
        error_prepend(errp, "%s: ", vmsd->name);
        return false;
    }
    return qemu_file_check_error(f, errp);
}
