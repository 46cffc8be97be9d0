/* pickup - internal interfaces of the local submission daemon */
#ifndef PICKUP_H
#define PICKUP_H
#include "dict.h"
#include "dstr.h"

/*
 * May the user called login give sender (as sendmail -f gave it, "" for
 * the null sender) as the envelope sender? Their own address (login, or
 * login@$myorigin) always; anything else as the tables say: the first of
 * them with an entry for login (else for "*") lists the senders allowed,
 * separated by white space or commas: "*" any, "<>" the null sender,
 * "@domain" any address there, "user@domain" that one, "user" that user
 * at $myorigin. tables NULL or empty: only the own address. 1 yes, 0 no.
 * (root and mail_owner are decided by the caller: they may use any.)
 */
extern int pickup_sender_allowed(DICT_LIST *tables, const char *login, const char *sender);

#endif
