/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SYSTEM_VL_H
#define SYSTEM_VL_H
int vireo_main(int argc, char **argv);
#endif
