/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What keeps a migration from starting.  A device blocks unless it
 * registered its state (vmstate_register with itself as owner) or its type
 * (or a parent type) was declared stateless; a machine blocks unless its
 * type was declared migratable.  So a device model that has not been
 * taught about migration can never lose its state silently.
 */
#ifndef MIGRATION_BLOCKER_H
#define MIGRATION_BLOCKER_H

#include <stdbool.h>
#include "qapi/qapi-builtin-types.h"
#include "util/error.h"

/* Devices of this type (and its subtypes) have nothing to migrate. */
void migration_device_type_stateless(const char *type_name);
/* The machine's own state is fully described by registered sections. */
void migration_machine_type_migratable(const char *machine_name);
/* A blocker of one's own (the caller keeps ownership of @reason). */
void migrate_add_blocker(Error *reason);
void migrate_del_blocker(Error *reason);
/* Every reason, devices first (those with an id before the others),
 * then the machine, then added blockers; NULL when nothing blocks. */
strList *migration_blocked_reasons(void);
/* Set @errp to the first reason when there is one. */
bool migration_is_blocked(Error **errp);

#endif
