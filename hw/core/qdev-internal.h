/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the device core files only. */
#ifndef HW_CORE_QDEV_INTERNAL_H
#define HW_CORE_QDEV_INTERNAL_H

#include "hw/core/qdev.h"

bool qdev_prop_apply(DeviceState *dev, const Property *p, json_t *value,
                     Error **errp);
void qdev_prop_set_default(DeviceState *dev, const Property *p);
void qdev_prop_release(DeviceState *dev, const Property *p);
void qdev_prop_describe(const Property *p, TypeProperty *out);

#endif
