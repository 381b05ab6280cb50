/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Building QAPI-style singly linked lists ({next, value}). */
#ifndef UTIL_QLIST_H
#define UTIL_QLIST_H

#include <glib.h>

#define QAPI_LIST_PREPEND(list, element)                                       \
    do {                                                                       \
        typeof(list) qlist_new_ = g_new0(typeof(*(list)), 1);                  \
        qlist_new_->value = (element);                                         \
        qlist_new_->next = (list);                                             \
        (list) = qlist_new_;                                                   \
    } while (0)

/* Append through a tail pointer: start with tail = &list. */
#define QAPI_LIST_APPEND(tail, element)                                        \
    do {                                                                       \
        *(tail) = g_new0(typeof(**(tail)), 1);                                 \
        (*(tail))->value = (element);                                          \
        (tail) = &(*(tail))->next;                                             \
    } while (0)

#endif
