/* admin_client - one admin request to the running queue manager */
#ifndef ADMIN_CLIENT_H
#define ADMIN_CLIENT_H
#include "dstr.h"

/*
 * Send req (an attribute list, admin_proto.h) to qmgr at qmgr_path and
 * read the answer: the count it answered, or -1 with the reason in why;
 * what follows the answer goes to body when not NULL (at most 256 MiB,
 * within 30 seconds).
 */
extern int admin_client_ask(const char *qmgr_path, const DSTR *req, DSTR *body, DSTR *why);
/* A status request in format json, text or metrics: 0 with the report in
 * body, or -1 with the reason in why. */
extern int admin_client_report(const char *qmgr_path, const char *format, DSTR *body, DSTR *why);

#endif
