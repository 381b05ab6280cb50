/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Section registry, and writing and reading the whole migration stream. */
#include <string.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "migration/savevm.h"
#include "util/main-loop.h"

typedef struct SaveStateEntry {
    uint32_t section_id;
    char *idstr;
    uint32_t instance_id;
    int version_id;
    const SaveVMHandlers *ops;      /* live sections */
    const VMStateDescription *vmsd; /* device sections */
    void *opaque;
    DeviceState *owner;
    bool done; /* outgoing: iteration finished */
} SaveStateEntry;

static GPtrArray *entries; /* SaveStateEntry, in registration order */
static uint32_t next_section_id;
static json_t *save_vmdesc; /* the description being built */

static SaveStateEntry *find_entry(const char *idstr, uint32_t instance_id)
{
    for (guint i = 0; entries && i < entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (!strcmp(se->idstr, idstr) && se->instance_id == instance_id) {
            return se;
        }
    }
    return NULL;
}

static uint32_t free_instance_id(const char *idstr)
{
    uint32_t id = 0;

    while (find_entry(idstr, id)) {
        id++;
    }
    return id;
}

static SaveStateEntry *entry_add(const char *idstr, uint32_t instance_id,
                                 int version_id, Error **errp)
{
    SaveStateEntry *se;

    if (strlen(idstr) > 255) {
        error_setg(errp, "migration section name '%s' is too long", idstr);
        return NULL;
    }
    if (instance_id == VMSTATE_INSTANCE_ID_ANY) {
        instance_id = free_instance_id(idstr);
    } else if (find_entry(idstr, instance_id)) {
        error_setg(errp,
                   "migration section '%s' instance %u is already "
                   "registered",
                   idstr, instance_id);
        return NULL;
    }
    se = g_new0(SaveStateEntry, 1);
    se->section_id = next_section_id++;
    se->idstr = g_strdup(idstr);
    se->instance_id = instance_id;
    se->version_id = version_id;
    if (!entries) {
        entries = g_ptr_array_new();
    }
    g_ptr_array_add(entries, se);
    return se;
}

bool register_savevm_live(const char *idstr, uint32_t instance_id,
                          int version_id, const SaveVMHandlers *ops,
                          void *opaque, Error **errp)
{
    SaveStateEntry *se = entry_add(idstr, instance_id, version_id, errp);

    if (se) {
        se->ops = ops;
        se->opaque = opaque;
    }
    return se != NULL;
}

bool vmstate_register(DeviceState *owner, const char *idstr,
                      uint32_t instance_id, const VMStateDescription *vmsd,
                      void *opaque, Error **errp)
{
    SaveStateEntry *se = entry_add(idstr, instance_id, vmsd->version_id, errp);

    if (se) {
        se->vmsd = vmsd;
        se->opaque = opaque;
        se->owner = owner;
    }
    return se != NULL;
}

void savevm_unregister(void *opaque)
{
    for (guint i = 0; entries && i < entries->len;) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (se->opaque == opaque) {
            g_ptr_array_remove_index(entries, i);
            g_free(se->idstr);
            g_free(se);
        } else {
            i++;
        }
    }
}

bool savevm_has_owner(DeviceState *dev, bool *unmigratable)
{
    bool found = false;

    *unmigratable = false;
    for (guint i = 0; entries && i < entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (se->owner == dev) {
            found = true;
            *unmigratable |= se->vmsd && se->vmsd->unmigratable;
        }
    }
    return found;
}

const char *savevm_machine_name(void)
{
    return current_machine ? current_machine->cls->name : "none";
}

/* ---- saving ---- */

static void put_section_header(QEMUFile *f, SaveStateEntry *se, uint8_t type)
{
    size_t len = strlen(se->idstr);

    qemu_put_byte(f, type);
    qemu_put_be32(f, se->section_id);
    if (type == QEMU_VM_SECTION_START || type == QEMU_VM_SECTION_FULL) {
        qemu_put_byte(f, len);
        qemu_put_buffer(f, se->idstr, len);
        qemu_put_be32(f, se->instance_id);
        qemu_put_be32(f, se->version_id);
    }
}

static void put_footer(QEMUFile *f, SaveStateEntry *se)
{
    qemu_put_byte(f, QEMU_VM_SECTION_FOOTER);
    qemu_put_be32(f, se->section_id);
}

/* The configuration section and its description: be32 len + name. */
static json_t *save_configuration(QEMUFile *f)
{
    const char *name = savevm_machine_name();
    size_t len = strlen(name);

    qemu_put_byte(f, QEMU_VM_CONFIGURATION);
    qemu_put_be32(f, len);
    qemu_put_buffer(f, name, len);
    return json_pack("{s:s, s:i, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}]}",
                     "vmsd_name", "configuration", "version", 1, "fields",
                     "name", "len", "type", "uint32", "size", 4, "name", "name",
                     "type", "buffer", "size", (int)len);
}

bool qemu_savevm_state_header(QEMUFile *f, Error **errp)
{
    json_decref(save_vmdesc);
    save_vmdesc = json_object();
    qemu_put_be32(f, QEMU_VM_FILE_MAGIC);
    qemu_put_be32(f, QEMU_VM_FILE_VERSION);
    json_object_set_new(save_vmdesc, "page_size", json_integer(4096));
    json_object_set_new(save_vmdesc, "configuration", save_configuration(f));
    json_object_set_new(save_vmdesc, "devices", json_array());
    return qemu_file_check_error(f, errp);
}

bool qemu_savevm_state_setup(QEMUFile *f, Error **errp)
{
    for (guint i = 0; entries && i < entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (!se->ops) {
            continue;
        }
        se->done = false;
        put_section_header(f, se, QEMU_VM_SECTION_START);
        if (se->ops->save_setup && !se->ops->save_setup(f, se->opaque, errp)) {
            return false;
        }
        put_footer(f, se);
    }
    return qemu_file_check_error(f, errp);
}

bool qemu_savevm_state_iterate(QEMUFile *f, bool *done, Error **errp)
{
    *done = true;
    for (guint i = 0; entries && i < entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (!se->ops || se->done) {
            continue;
        }
        if (!se->ops->save_iterate) {
            se->done = true;
            continue;
        }
        put_section_header(f, se, QEMU_VM_SECTION_PART);
        if (!se->ops->save_iterate(f, se->opaque, &se->done, errp)) {
            return false;
        }
        put_footer(f, se);
        *done &= se->done;
    }
    return qemu_file_check_error(f, errp);
}

static bool save_device(QEMUFile *f, SaveStateEntry *se, Error **errp)
{
    json_t *desc = json_pack("{s:s, s:I}", "name", se->idstr, "instance_id",
                             (json_int_t)se->instance_id);

    put_section_header(f, se, QEMU_VM_SECTION_FULL);
    if (!vmstate_save(f, se->vmsd, se->opaque, desc, errp)) {
        json_decref(desc);
        return false;
    }
    put_footer(f, se);
    json_array_append_new(json_object_get(save_vmdesc, "devices"), desc);
    return true;
}

static void put_vmdesc(QEMUFile *f)
{
    char *text = json_dumps(save_vmdesc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t len = strlen(text);

    qemu_put_byte(f, QEMU_VM_VMDESCRIPTION);
    qemu_put_be32(f, len);
    qemu_put_buffer(f, text, len);
    free(text);
}

bool qemu_savevm_state_complete(QEMUFile *f, Error **errp)
{
    g_assert(save_vmdesc);
    for (guint i = 0; entries && i < entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (!se->ops) {
            continue;
        }
        put_section_header(f, se, QEMU_VM_SECTION_END);
        if (se->ops->save_complete &&
            !se->ops->save_complete(f, se->opaque, errp)) {
            return false;
        }
        put_footer(f, se);
    }
    for (guint i = 0; entries && i < entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (se->vmsd && !save_device(f, se, errp)) {
            return false;
        }
    }
    qemu_put_byte(f, QEMU_VM_EOF);
    put_vmdesc(f);
    json_decref(save_vmdesc);
    save_vmdesc = NULL;
    return qemu_file_check_error(f, errp);
}

bool qemu_savevm_state(QEMUFile *f, Error **errp)
{
    bool done = false;

    if (!qemu_savevm_state_header(f, errp) ||
        !qemu_savevm_state_setup(f, errp)) {
        return false;
    }
    while (!done) {
        if (!qemu_savevm_state_iterate(f, &done, errp)) {
            return false;
        }
    }
    return qemu_savevm_state_complete(f, errp);
}

/* ---- loading ---- */

static bool load_header(QEMUFile *f, Error **errp)
{
    uint32_t magic = qemu_get_be32(f), version = qemu_get_be32(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (magic != QEMU_VM_FILE_MAGIC) {
        error_setg(errp, "Not a migration stream");
        return false;
    }
    if (version == 2) {
        error_setg(errp, "SaveVM v2 format is obsolete and don't work "
                         "anymore");
        return false;
    }
    if (version != QEMU_VM_FILE_VERSION) {
        error_setg(errp, "Unsupported migration stream version");
        return false;
    }
    return true;
}

static bool load_configuration(QEMUFile *f, Error **errp)
{
    const char *local = savevm_machine_name();
    uint32_t len;
    char name[256];

    if (qemu_get_byte(f) != QEMU_VM_CONFIGURATION) {
        if (qemu_file_check_error(f, errp)) {
            error_setg(errp, "Configuration section missing");
        }
        return false;
    }
    len = qemu_get_be32(f);
    if (len >= sizeof(name)) {
        if (qemu_file_check_error(f, errp)) {
            error_setg(errp,
                       "configuration: machine type name of %u bytes "
                       "is too long",
                       len);
        }
        return false;
    }
    qemu_get_buffer(f, name, len);
    name[len] = 0;
    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (strlen(name) != len || strcmp(name, local)) {
        error_setg(errp, "Machine type received is '%.*s' and local is '%s'",
                   (int)len, name, local);
        return false;
    }
    if (qemu_peek_byte(f, 0) == QEMU_VM_SUBSECTION) {
        error_setg(errp, "configuration: the stream asks for a setting "
                         "(target page size, capabilities or UUID check) "
                         "this version of vireo does not support");
        return false;
    }
    return true;
}

static bool check_footer(QEMUFile *f, SaveStateEntry *se, uint32_t id,
                         Error **errp)
{
    uint8_t type = qemu_get_byte(f);
    uint32_t read_id = qemu_get_be32(f);

    if (!qemu_file_check_error(f, errp)) {
        error_prepend(errp, "section '%s': ", se->idstr);
        return false;
    }
    if (type != QEMU_VM_SECTION_FOOTER) {
        error_setg(errp, "Missing section footer for %s", se->idstr);
        return false;
    }
    if (read_id != id) {
        error_setg(errp,
                   "Mismatched section id in footer for %s - read 0x%x "
                   "expected 0x%x",
                   se->idstr, read_id, id);
        return false;
    }
    return true;
}

static bool load_payload(QEMUFile *f, SaveStateEntry *se, int version_id,
                         Error **errp)
{
    bool ok;

    if (se->vmsd) {
        /* Device state is touched with the big lock, as everywhere. */
        bool locked = bql_locked();
        if (!locked) {
            bql_lock();
        }
        ok = vmstate_load(f, se->vmsd, se->opaque, version_id, errp);
        if (!locked) {
            bql_unlock();
        }
    } else {
        ok = se->ops->load_state(f, se->opaque, version_id, errp);
    }
    if (!ok) {
        error_prepend(errp,
                      "error while loading state for instance 0x%x of "
                      "device '%s': ",
                      se->instance_id, se->idstr);
    }
    return ok;
}

/* A START or FULL section: the header names the entry. */
static bool load_section_start(QEMUFile *f, GHashTable *ids, Error **errp)
{
    uint32_t id = qemu_get_be32(f), instance_id, version_id;
    uint8_t len = qemu_get_byte(f);
    char idstr[256];
    SaveStateEntry *se;

    qemu_get_buffer(f, idstr, len);
    idstr[len] = 0;
    instance_id = qemu_get_be32(f);
    version_id = qemu_get_be32(f);
    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    se = find_entry(idstr, instance_id);
    if (!se || strlen(idstr) != len) {
        error_setg(errp,
                   "Unknown savevm section or instance '%s' %u. Make "
                   "sure that your current VM setup matches your saved VM "
                   "setup, including any hotplugged devices",
                   idstr, instance_id);
        return false;
    }
    if (version_id > (uint32_t)se->version_id) {
        error_setg(errp, "savevm: unsupported version %u for '%s' v%d",
                   version_id, idstr, se->version_id);
        return false;
    }
    g_hash_table_insert(ids, GUINT_TO_POINTER(id), se);
    return load_payload(f, se, version_id, errp) &&
           check_footer(f, se, id, errp);
}

static bool load_section_part(QEMUFile *f, GHashTable *ids, Error **errp)
{
    uint32_t id = qemu_get_be32(f);
    SaveStateEntry *se;

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    se = g_hash_table_lookup(ids, GUINT_TO_POINTER(id));
    if (!se || !se->ops) {
        error_setg(errp, "Unknown savevm section %u", id);
        return false;
    }
    return load_payload(f, se, se->version_id, errp) &&
           check_footer(f, se, id, errp);
}

/* Read past the trailing description so the sender never finds the
 * connection closed while it is still writing it. */
static void drain_vmdesc(QEMUFile *f)
{
    if (qemu_peek_byte(f, 0) == QEMU_VM_VMDESCRIPTION) {
        qemu_get_byte(f);
        qemu_file_skip(f, qemu_get_be32(f));
    }
}

bool qemu_loadvm_state(QEMUFile *f, Error **errp)
{
    GHashTable *ids = g_hash_table_new(NULL, NULL);
    bool ok;

    for (guint i = 0; entries && i < entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(entries, i);
        if (se->ops && se->ops->load_setup) {
            se->ops->load_setup(se->opaque);
        }
    }
    ok = load_header(f, errp) && load_configuration(f, errp);

    while (ok) {
        uint8_t type = qemu_get_byte(f);

        if (!qemu_file_check_error(f, errp)) {
            ok = false;
            break;
        }
        if (type == QEMU_VM_EOF) {
            break;
        }
        switch (type) {
        case QEMU_VM_SECTION_START:
        case QEMU_VM_SECTION_FULL:
            ok = load_section_start(f, ids, errp);
            break;
        case QEMU_VM_SECTION_PART:
        case QEMU_VM_SECTION_END:
            ok = load_section_part(f, ids, errp);
            break;
        default:
            error_setg(errp, "Unknown savevm section type %d", type);
            ok = false;
        }
    }
    g_hash_table_destroy(ids);
    if (ok) {
        drain_vmdesc(f);
    }
    return ok;
}
