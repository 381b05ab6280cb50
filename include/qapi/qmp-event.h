/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP events generated from the schema.
 *
 * qapi/qapi-events.h (generated) declares enum QAPIEvent, QAPIEvent_str()
 * and one qapi_event_send_<name>() per event.  Each sender builds the
 * event's "data" object and calls
 *
 *   void qapi_event_emit(QAPIEvent event, json_t *data);
 *
 * which the monitor implements: it adds "event" and "timestamp" and sends
 * the message to every QMP client.  @data is borrowed (the sender releases
 * it after the call) and is NULL for events that carry no data.
 */
#ifndef QAPI_QMP_EVENT_H
#define QAPI_QMP_EVENT_H

#include "qapi/qapi-events.h"

#endif
