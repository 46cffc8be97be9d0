/*
 * attr - internal protocol codec
 * DESCRIPTION
 *	Requests and replies between daemons are lists of netstrings
 *	"name=value" ended by the empty netstring "0:,". One codec serves
 *	every daemon; its reader enforces a per-attribute and a per-list
 *	limit, and skips nothing: callers look up what they need, so a newer
 *	peer may add attributes without breaking an older one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "mymalloc.h"
#include "msg.h"
#include "netstring.h"
#include "strutil.h"

/* attr_put_str - one attribute */

void    attr_put_str(DSTR *out, const char *name, const char *value)
{
    size_t  nlen = strlen(name);
    size_t  vlen = strlen(value);

    if (nlen == 0 || strchr(name, '=') != NULL)
	msg_panic("%s: bad attribute name \"%s\"", __func__, name);
    if (dstr_printf(out, "%zu:%s=", nlen + 1 + vlen, name) < 0
	|| dstr_cat(out, value, vlen) < 0 || dstr_catc(out, ',') < 0)
	msg_panic("%s: output buffer limit exceeded", __func__);
}

/* attr_put_long - numeric attribute */

void    attr_put_long(DSTR *out, const char *name, long value)
{
    char    buf[32];

    snprintf(buf, sizeof(buf), "%ld", value);
    attr_put_str(out, name, buf);
}

/* attr_put_end - terminator */

void    attr_put_end(DSTR *out)
{
    if (dstr_cat(out, "0:,", 3) < 0)
	msg_panic("%s: output buffer limit exceeded", __func__);
}

/* attr_list_new - empty list */

ATTR_LIST *attr_list_new(void)
{
    return (mycalloc(1, sizeof(ATTR_LIST)));
}

/* attr_list_reset - drop the content */

void    attr_list_reset(ATTR_LIST *list)
{
    size_t  i;

    for (i = 0; i < list->count; i++) {
	free(list->attrs[i].name);
	free(list->attrs[i].value);
    }
    list->count = 0;
}

/* attr_list_free - release */

ATTR_LIST *attr_list_free(ATTR_LIST *list)
{
    if (list) {
	attr_list_reset(list);
	free(list->attrs);
	free(list);
    }
    return (NULL);
}

/* attr_list_add - append one attribute */

void    attr_list_add(ATTR_LIST *list, const char *name, size_t nlen, const char *value)
{
    if (list->count == list->cap) {
	list->cap = list->cap ? 2 * list->cap : 8;
	list->attrs = myrealloc(list->attrs, list->cap * sizeof(ATTR));
    }
    list->attrs[list->count].name = mystrndup(name, nlen);
    list->attrs[list->count].value = mystrdup(value);
    list->count++;
}

/* attr_add - store one "name=value" payload */

static int attr_add(ATTR_LIST *list, const char *payload, size_t len, size_t max_count)
{
    const char *eq = memchr(payload, '=', len);

    if (eq == NULL || eq == payload || memchr(payload, 0, len) != NULL)
	return (ATTR_ERR_FORMAT);
    if (list->count >= max_count)
	return (ATTR_ERR_SIZE);
    if (list->count == list->cap) {
	list->cap = list->cap ? 2 * list->cap : 8;
	list->attrs = myrealloc(list->attrs, list->cap * sizeof(ATTR));
    }
    list->attrs[list->count].name = mystrndup(payload, (size_t) (eq - payload));
    list->attrs[list->count].value = mystrndup(eq + 1, len - (size_t) (eq - payload) - 1);
    list->count++;
    return (ATTR_OK);
}

/* attr_netstring_error - map netstring errors */

static int attr_netstring_error(int err)
{
    switch (err) {
    case NETSTRING_ERR_SIZE:
	return (ATTR_ERR_SIZE);
    case NETSTRING_ERR_EOF:
	return (ATTR_ERR_EOF);
    case NETSTRING_ERR_IO:
	return (ATTR_ERR_IO);
    default:
	return (ATTR_ERR_FORMAT);
    }
}

/* attr_parse - decode a list from memory */

long    attr_parse(const char *buf, size_t len, ATTR_LIST *list,
		           size_t max_len, size_t max_count)
{
    size_t  off = 0;
    ssize_t n;
    const char *payload;
    size_t  paylen;
    int     err;

    attr_list_reset(list);
    for (;;) {
	n = netstring_parse(buf + off, len - off, max_len, &payload, &paylen);
	if (n == NETSTRING_MORE)
	    return (0);
	if (n < 0)
	    return (attr_netstring_error((int) n));
	off += (size_t) n;
	if (paylen == 0)
	    return ((long) off);
	if ((err = attr_add(list, payload, paylen, max_count)) != ATTR_OK)
	    return (err);
    }
}

/* attr_read - decode a list from a stream */

int     attr_read(IOS *ios, ATTR_LIST *list, size_t max_len, size_t max_count)
{
    DSTR   *buf = dstr_new(128);
    int     err;

    attr_list_reset(list);
    for (;;) {
	if ((err = netstring_get(ios, buf, max_len)) != 0) {
	    err = attr_netstring_error(err);
	    break;
	}
	if (dstr_len(buf) == 0) {
	    err = ATTR_OK;
	    break;
	}
	if ((err = attr_add(list, dstr_str(buf), dstr_len(buf), max_count)) != ATTR_OK)
	    break;
    }
    dstr_free(buf);
    return (err);
}

/* attr_get_str - look up (last one wins) */

const char *attr_get_str(const ATTR_LIST *list, const char *name)
{
    size_t  i;

    for (i = list->count; i > 0; i--)
	if (strcmp(list->attrs[i - 1].name, name) == 0)
	    return (list->attrs[i - 1].value);
    return (NULL);
}

/* attr_get_long - bounded number */

int     attr_get_long(const ATTR_LIST *list, const char *name, long *value,
		              long min, long max)
{
    const char *str = attr_get_str(list, name);

    if (str == NULL)
	return (-1);
    return (str_to_long(str, min, max, value));
}

/* attr_strerror - describe */

const char *attr_strerror(int err)
{
    switch (err) {
    case ATTR_OK:
	return ("success");
    case ATTR_ERR_FORMAT:
	return ("malformed attribute list");
    case ATTR_ERR_SIZE:
	return ("attribute list too large");
    case ATTR_ERR_EOF:
	return ("unexpected end of input");
    case ATTR_ERR_IO:
	return ("read error or timeout");
    default:
	return ("unknown error");
    }
}
