/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "system/vl.h"

int main(int argc, char **argv)
{
    return vireo_main(argc, argv);
}
