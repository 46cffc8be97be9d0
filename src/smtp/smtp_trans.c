/*
 * smtp_trans - mail transactions and their commands
 * DESCRIPTION
 *	A request becomes one SMTP transaction for all its recipients, or,
 *	when the message asks for VERP (docs/protocols.md §3.4), one per
 *	recipient, each with its own envelope sender: that is how a list
 *	manager learns which address bounced. MAIL FROM and RCPT TO are built
 *	here, with the local part quoted as RFC 5321 requires when it is not
 *	a dot-string (Postfix: smtp_quote_rfc821_envelope = yes).
 */
#include <stdlib.h>
#include <string.h>

#include "smtp.h"
#include "mymalloc.h"
#include "verp.h"

/* smtp_trans_add - one more transaction */

static SMTP_TRANS *smtp_trans_add(SMTP_TRANS_LIST *list, const char *sender, size_t cap)
{
    SMTP_TRANS *t;

    list->trans = myrealloc(list->trans, (list->count + 1) * sizeof(SMTP_TRANS));
    t = list->trans + list->count++;
    t->sender = mystrdup(sender);
    t->rcpt = mymalloc((cap ? cap : 1) * sizeof(size_t));
    t->nrcpt = 0;
    return (t);
}

/* smtp_trans_build - transactions for a request */

void    smtp_trans_build(SMTP_TRANS_LIST *list, const char *sender, const char *verp,
			         char *const *rcpts, size_t nrcpt)
{
    DSTR   *expanded;
    SMTP_TRANS *t;
    size_t  i;

    list->trans = 0;
    list->count = 0;
    /* A null sender is never VERP-expanded: bounces go nowhere. */
    if (verp == 0 || verp[0] == 0 || *sender == 0) {
	t = smtp_trans_add(list, sender, nrcpt);
	for (i = 0; i < nrcpt; i++)
	    t->rcpt[t->nrcpt++] = i;
	return;
    }
    expanded = dstr_new(128);
    for (i = 0; i < nrcpt; i++) {
	verp_expand(expanded, sender, verp, rcpts[i]);
	t = smtp_trans_add(list, dstr_str(expanded), 1);
	t->rcpt[t->nrcpt++] = i;
    }
    dstr_free(expanded);
}

/* smtp_trans_free - release */

void    smtp_trans_free(SMTP_TRANS_LIST *list)
{
    size_t  i;

    for (i = 0; i < list->count; i++) {
	free(list->trans[i].sender);
	free(list->trans[i].rcpt);
    }
    free(list->trans);
    list->trans = 0;
    list->count = 0;
}

/* smtp_atext - may this byte stand unquoted in a dot-string */

static int smtp_atext(int ch)
{
    return ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
	    || (ch & 0x80) || (ch && strchr("!#$%&'*+-/=?^_`{|}~", ch) != 0));
}

/* smtp_dot_string - is the local part a valid RFC 5321 Dot-string */

static int smtp_dot_string(const char *local, size_t len)
{
    size_t  i;

    if (len == 0 || local[0] == '.' || local[len - 1] == '.')
	return (0);
    for (i = 0; i < len; i++) {
	if (local[i] == '.') {
	    if (local[i + 1] == '.')
		return (0);
	} else if (!smtp_atext((unsigned char) local[i])) {
	    return (0);
	}
    }
    return (1);
}

/* smtp_quote_addr - address as it goes between < and > */

void    smtp_quote_addr(DSTR *out, const char *addr)
{
    const char *at = strrchr(addr, '@');
    size_t  llen = at ? (size_t) (at - addr) : strlen(addr);
    size_t  i;

    if (*addr == 0)
	return;
    if (smtp_dot_string(addr, llen)
	|| (llen >= 2 && addr[0] == '"' && addr[llen - 1] == '"')) {
	dstr_cats(out, addr);
	return;
    }
    dstr_catc(out, '"');
    for (i = 0; i < llen; i++) {
	if (addr[i] == '"' || addr[i] == '\\')
	    dstr_catc(out, '\\');
	dstr_catc(out, addr[i]);
    }
    dstr_catc(out, '"');
    if (at)
	dstr_cats(out, at);
}

/* smtp_cmd_mail - MAIL FROM with SIZE and BODY */

void    smtp_cmd_mail(DSTR *out, const char *sender, long size, int body8)
{
    dstr_cats(out, "MAIL FROM:<");
    smtp_quote_addr(out, sender);
    dstr_catc(out, '>');
    if (size >= 0)
	dstr_printf(out, " SIZE=%ld", size);
    if (body8)
	dstr_cats(out, " BODY=8BITMIME");
    dstr_cats(out, "\r\n");
}

/* smtp_cmd_rcpt - RCPT TO */

void    smtp_cmd_rcpt(DSTR *out, const char *rcpt)
{
    dstr_cats(out, "RCPT TO:<");
    smtp_quote_addr(out, rcpt);
    dstr_cats(out, ">\r\n");
}

/* smtp_addr_unsafe - would this address break the command line it goes into */

int     smtp_addr_unsafe(const char *addr)
{
    const unsigned char *cp;

    for (cp = (const unsigned char *) addr; *cp; cp++)
	if (*cp < 0x20 || *cp == 0x7f)
	    return (1);
    return (cp - (const unsigned char *) addr > 2000);
}
