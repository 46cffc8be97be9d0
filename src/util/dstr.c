/*
 * dstr - dynamic strings
 * DESCRIPTION
 *	One growing buffer type for every piece of text or binary data in
 *	posthorn. A spare NUL always follows the payload, so dstr_str() is a C
 *	string when the payload holds no NUL. Buffers fed from the network or
 *	the spool get a limit first, so hostile input is refused, not buffered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "dstr.h"
#include "mymalloc.h"
#include "msg.h"

/* dstr_new - allocate an empty string */

DSTR   *dstr_new(size_t hint)
{
    DSTR   *ds = mymalloc(sizeof(*ds));

    if (hint < 16)
	hint = 16;
    if (hint > SIZE_MAX / 2)
	msg_panic("%s: unreasonable size hint %zu", __func__, hint);
    ds->data = mymalloc(hint + 1);
    ds->data[0] = 0;
    ds->len = 0;
    ds->cap = hint;
    ds->limit = 0;
    return (ds);
}

/* dstr_free - release */

DSTR   *dstr_free(DSTR *ds)
{
    if (ds) {
	free(ds->data);
	free(ds);
    }
    return (NULL);
}

/* dstr_set_limit - cap the payload length */

void    dstr_set_limit(DSTR *ds, size_t max)
{
    ds->limit = max;
}

/* dstr_grow - make room for len more bytes, honouring the limit */

static int dstr_grow(DSTR *ds, size_t len)
{
    size_t  need;
    size_t  cap;

    if (len > SIZE_MAX / 2 - ds->len)
	return (DSTR_TOO_LONG);
    need = ds->len + len;
    if (ds->limit && need > ds->limit)
	return (DSTR_TOO_LONG);
    if (need > ds->cap) {
	cap = ds->cap * 2;
	if (cap < need)
	    cap = need;
	ds->data = myrealloc(ds->data, cap + 1);
	ds->cap = cap;
    }
    return (0);
}

/* dstr_cat - append bytes */

int     dstr_cat(DSTR *ds, const void *buf, size_t len)
{
    if (dstr_grow(ds, len) < 0)
	return (DSTR_TOO_LONG);
    if (len)
	memcpy(ds->data + ds->len, buf, len);
    ds->len += len;
    ds->data[ds->len] = 0;
    return (0);
}

/* dstr_cats - append a C string */

int     dstr_cats(DSTR *ds, const char *str)
{
    return (dstr_cat(ds, str, strlen(str)));
}

/* dstr_catc - append one byte */

int     dstr_catc(DSTR *ds, int ch)
{
    char    c = (char) ch;

    return (dstr_cat(ds, &c, 1));
}

/* dstr_strcpy - replace with a C string */

int     dstr_strcpy(DSTR *ds, const char *str)
{
    return (dstr_memcpy(ds, str, strlen(str)));
}

/* dstr_memcpy - replace with bytes; on DSTR_TOO_LONG the old content stays */

int     dstr_memcpy(DSTR *ds, const void *buf, size_t len)
{
    const char *src = buf;

    if (ds->limit && len > ds->limit)
	return (DSTR_TOO_LONG);
    /* A source inside ds itself (a trimmed view, say) must survive the reset. */
    if (src >= ds->data && src <= ds->data + ds->len) {
	memmove(ds->data, src, len);
	ds->len = len;
	ds->data[len] = 0;
	return (0);
    }
    DSTR_RESET(ds);
    return (dstr_cat(ds, buf, len));
}

/* dstr_vprintf - append formatted text */

int     dstr_vprintf(DSTR *ds, const char *fmt, va_list ap)
{
    va_list ap2;
    int     n;
    size_t  room = ds->cap - ds->len;

    va_copy(ap2, ap);
    n = vsnprintf(ds->data + ds->len, room + 1, fmt, ap2);
    va_end(ap2);
    if (n < 0)
	msg_panic("%s: bad format \"%s\"", __func__, fmt);
    if ((size_t) n <= room) {
	if (ds->limit && ds->len + (size_t) n > ds->limit) {
	    ds->data[ds->len] = 0;
	    return (DSTR_TOO_LONG);
	}
	ds->len += (size_t) n;
	return (0);
    }
    if (dstr_grow(ds, (size_t) n) < 0) {
	ds->data[ds->len] = 0;
	return (DSTR_TOO_LONG);
    }
    (void) vsnprintf(ds->data + ds->len, (size_t) n + 1, fmt, ap);
    ds->len += (size_t) n;
    return (0);
}

/* dstr_printf - append formatted text */

int     dstr_printf(DSTR *ds, const char *fmt,...)
{
    va_list ap;
    int     ret;

    va_start(ap, fmt);
    ret = dstr_vprintf(ds, fmt, ap);
    va_end(ap);
    return (ret);
}

/* dstr_sprintf - replace with formatted text; on DSTR_TOO_LONG the old content stays */

int     dstr_sprintf(DSTR *ds, const char *fmt,...)
{
    va_list ap;
    int     ret;
    DSTR   *tmp;

    if (ds->limit == 0) {			/* the common case: no copy */
	DSTR_RESET(ds);
	va_start(ap, fmt);
	ret = dstr_vprintf(ds, fmt, ap);
	va_end(ap);
	return (ret);
    }
    tmp = dstr_new(ds->limit < 256 ? ds->limit : 256);
    va_start(ap, fmt);
    (void) dstr_vprintf(tmp, fmt, ap);
    va_end(ap);
    ret = dstr_memcpy(ds, dstr_str(tmp), dstr_len(tmp));
    dstr_free(tmp);
    return (ret);
}

/* dstr_space - reserve room for a direct write */

char   *dstr_space(DSTR *ds, size_t len)
{
    size_t  limit = ds->limit;

    ds->limit = 0;				/* reservation is not payload */
    if (dstr_grow(ds, len) < 0)
	msg_panic("%s: cannot reserve %zu bytes", __func__, len);
    ds->limit = limit;
    return (ds->data + ds->len);
}

/* dstr_addlen - commit bytes written after dstr_space() */

void    dstr_addlen(DSTR *ds, size_t len)
{
    if (len > ds->cap - ds->len)
	msg_panic("%s: length %zu exceeds reserved space", __func__, len);
    if (ds->limit && ds->len + len > ds->limit)
	msg_panic("%s: length %zu exceeds the string's limit", __func__, ds->len + len);
    ds->len += len;
    ds->data[ds->len] = 0;
}

/* dstr_truncate - shorten */

void    dstr_truncate(DSTR *ds, size_t len)
{
    if (len < ds->len) {
	ds->len = len;
	ds->data[len] = 0;
    }
}

/* dstr_drop_head - remove leading bytes */

void    dstr_drop_head(DSTR *ds, size_t len)
{
    if (len >= ds->len) {
	DSTR_RESET(ds);
	return;
    }
    memmove(ds->data, ds->data + len, ds->len - len);
    ds->len -= len;
    ds->data[ds->len] = 0;
}

/* dstr_export - keep the buffer, drop the wrapper */

char   *dstr_export(DSTR *ds)
{
    char   *p = ds->data;

    free(ds);
    return (p);
}
