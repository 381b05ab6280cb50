/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include "system/vl.h"

int vireo_main(int argc, char **argv)
{
    fprintf(stderr, "vireo: not yet\n");
    return 1;
}
