/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The QEMU version Vireo reports to management tools, and its own.
 * Tools check QEMU's version number to decide what to use; we report the
 * QEMU release whose networking behaviour we match.
 */
#ifndef SYSTEM_VERSION_H
#define SYSTEM_VERSION_H

#define QEMU_VERSION_MAJOR 10
#define QEMU_VERSION_MINOR 2
#define QEMU_VERSION_MICRO 0
#define QEMU_VERSION_STR   "10.2.0"
#define VIREO_VERSION      "0.1.0"
#define VIREO_PACKAGE      "vireo-" VIREO_VERSION

#endif
