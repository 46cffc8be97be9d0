/* mailq - list the queued mail, as Postfix's mailq and postqueue -j do */
#ifndef MAILQ_H
#define MAILQ_H
#include "ios.h"

/*
 * Write the listing of incoming, active, deferred and hold (cwd: the queue
 * directory) to out: Postfix's mailq text, or with json one JSON object
 * per line per message (postqueue -j's fields). Unreadable or damaged
 * files are logged and left out; messages that go away meanwhile too.
 */
extern void mailq_print(IOS *out, int json);

#endif
