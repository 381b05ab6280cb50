/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The migration stream in QEMU's format and the registry of what goes in it.
 *
 *   be32 "QEVM", be32 3
 *   0x07 configuration: be32 length + machine type name
 *   iterable sections (RAM): 0x01 START ..., 0x02 PART ..., 0x03 END ...
 *   device sections: 0x04 FULL + id, idstr, instance, version + fields
 *   each section followed by 0x7e + be32 section id
 *   0x00 EOF, then 0x06 + be32 length + the JSON device description
 */
#ifndef MIGRATION_SAVEVM_H
#define MIGRATION_SAVEVM_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/core/qdev.h"
#include "migration/qemu-file.h"
#include "migration/vmstate.h"
#include "util/error.h"

#define QEMU_VM_FILE_MAGIC     0x5145564d
#define QEMU_VM_FILE_VERSION   0x00000003
#define QEMU_VM_EOF            0x00
#define QEMU_VM_SECTION_START  0x01
#define QEMU_VM_SECTION_PART   0x02
#define QEMU_VM_SECTION_END    0x03
#define QEMU_VM_SECTION_FULL   0x04
#define QEMU_VM_SUBSECTION     0x05
#define QEMU_VM_VMDESCRIPTION  0x06
#define QEMU_VM_CONFIGURATION  0x07
#define QEMU_VM_COMMAND        0x08
#define QEMU_VM_SECTION_FOOTER 0x7e

/* Pick the lowest instance id not yet used for that idstr. */
#define VMSTATE_INSTANCE_ID_ANY UINT32_MAX

/* Hand-written sections that are sent in several parts (RAM). */
typedef struct SaveVMHandlers {
    /* The START section's payload. */
    bool (*save_setup)(QEMUFile *f, void *opaque, Error **errp);
    /* A PART section's payload; set *done once nothing is left. */
    bool (*save_iterate)(QEMUFile *f, void *opaque, bool *done, Error **errp);
    /* The END section's payload (the VM is stopped). */
    bool (*save_complete)(QEMUFile *f, void *opaque, Error **errp);
    /* Called before a stream is loaded. */
    void (*load_setup)(void *opaque);
    /* Load one START, PART, END (or FULL) payload. */
    bool (*load_state)(QEMUFile *f, void *opaque, int version_id, Error **errp);
} SaveVMHandlers;

bool register_savevm_live(const char *idstr, uint32_t instance_id,
                          int version_id, const SaveVMHandlers *ops,
                          void *opaque, Error **errp);
/* A device's state; @owner (may be NULL) is the device it describes, so
 * that it no longer blocks migration. */
bool vmstate_register(DeviceState *owner, const char *idstr,
                      uint32_t instance_id, const VMStateDescription *vmsd,
                      void *opaque, Error **errp);
/* Remove every section registered with @opaque. */
void savevm_unregister(void *opaque);
/* Is there a section owned by @dev?  *unmigratable tells whether one of
 * its descriptions is marked unmigratable. */
bool savevm_has_owner(DeviceState *dev, bool *unmigratable);
/* The machine type name written in the configuration section. */
const char *savevm_machine_name(void);

/* Outgoing stream, in this order.  Each returns false with @errp set. */
bool qemu_savevm_state_header(QEMUFile *f, Error **errp);
bool qemu_savevm_state_setup(QEMUFile *f, Error **errp);
/* One PART of every iterable section not yet done; *done when all are. */
bool qemu_savevm_state_iterate(QEMUFile *f, bool *done, Error **errp);
/* END sections, device FULL sections, EOF and the JSON description. */
bool qemu_savevm_state_complete(QEMUFile *f, Error **errp);
/* All of the above at once (tests, fuzz seeds). */
bool qemu_savevm_state(QEMUFile *f, Error **errp);

/* Load a whole stream up to EOF, then read past the description. */
bool qemu_loadvm_state(QEMUFile *f, Error **errp);

#endif
