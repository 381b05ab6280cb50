/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HW_DEVICE_TYPES_H
#define HW_DEVICE_TYPES_H
void device_types_register_all(void);
#endif
