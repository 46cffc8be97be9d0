/*
 * dkim_keyset - the signing keys and who uses them
 * DESCRIPTION
 *	cleanup reads its private keys as root, before it enters its
 *	chroot, so a key file can stay mode 0600 owned by root
 *	(docs/design.md, "DKIM signing"). It cannot know then which keys mail
 *	will need, so it lists the whole key table (dict_walk) and loads
 *	every key in it; the signing table stays open and is looked up per
 *	message. posthorn check and reload do the same and in addition list
 *	the signing table, so a KEYNAME that names no key is refused before
 *	cleanup ever meets it.
 */
#include <stdlib.h>
#include <string.h>

#include "dkim_keyset.h"
#include "argv.h"
#include "dict.h"
#include "dkim_sig.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"
#include "strutil.h"

#define DKIM_KEYSET_NAME_DELIM	", \t\r\n"

struct DKIM_KEYSET {
    DICT   *keys;			/* dkim_key_table */
    DICT   *signing;			/* dkim_signing_table, NULL: none */
    HTABLE *signers;			/* KEYNAME (folded) -> DKIM_SIGNER */
    DSTR   *err;			/* the first load error */
};

/* dkim_keyset_signer_free - one entry */

static void dkim_keyset_signer_free(void *ptr)
{
    DKIM_SIGNER *s = ptr;

    free(s->name);
    free(s->domain);
    free(s->selector);
    free(s->path);
    if (s->key)
	dkim_key_free(s->key);
    free(s);
}

/* dkim_keyset_parse - "DOMAIN:SELECTOR:/path" into a signer, key not loaded */

static DKIM_SIGNER *dkim_keyset_parse(const char *name, const char *value, DSTR *why)
{
    const char *c1 = strchr(value, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    DKIM_SIGNER *s;

    if (c2 == NULL || c2[1] != '/') {
	dstr_sprintf(why, "\"%s\" is not DOMAIN:SELECTOR:/path/to/key.pem", value);
	return (NULL);
    }
    s = mycalloc(1, sizeof(*s));
    s->name = mystrdup(name);
    s->domain = mystrndup(value, (size_t) (c1 - value));
    s->selector = mystrndup(c1 + 1, (size_t) (c2 - c1 - 1));
    s->path = mystrdup(c2 + 1);
    if (!dkim_sig_names_ok(s->domain, s->selector)) {
	dstr_sprintf(why, "\"%s\": invalid %s \"%s\"", value,
		     str_dns_name_ok(s->domain) ? "selector" : "domain",
		     str_dns_name_ok(s->domain) ? s->selector : s->domain);
	dkim_keyset_signer_free(s);
	return (NULL);
    }
    return (s);
}

/* dkim_keyset_load_one - DICT_WALK_FN over the key table */

static int dkim_keyset_load_one(const char *name, const char *value, void *ctx)
{
    DKIM_KEYSET *set = ctx;
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DKIM_SIGNER *s;

    if ((s = dkim_keyset_parse(name, value, why)) != NULL
	&& (s->key = dkim_key_load(s->path, why, warn)) == NULL) {
	dkim_keyset_signer_free(s);
	s = NULL;
    }
    if (s == NULL) {
	dstr_sprintf(set->err, "dkim_key_table: %s: key \"%s\": %s",
		     dict_name(set->keys), name, dstr_str(why));
    } else {
	if (dstr_len(warn) > 0)
	    msg_warn("dkim_key_table: %s: key \"%s\": %s", dict_name(set->keys),
		     name, dstr_str(warn));
	htable_enter(set->signers, name, s);
    }
    dstr_free(why);
    dstr_free(warn);
    return (s == NULL);
}

/* dkim_keyset_open - both tables, every key */

DKIM_KEYSET *dkim_keyset_open(const char *key_table, const char *signing_table, DSTR *err)
{
    DKIM_KEYSET *set = mycalloc(1, sizeof(*set));
    int     ret;

    set->signers = htable_new(8);
    set->err = dstr_new(64);
    if (*signing_table == 0)
	return (set);				/* signing is off */
    if ((set->signing = dict_open(signing_table, err)) == NULL) {
	dstr_sprintf(set->err, "dkim_signing_table: %s: %s", signing_table, dstr_str(err));
    } else if (*key_table == 0) {
	dstr_strcpy(set->err, "dkim_signing_table is set but dkim_key_table is empty");
    } else if ((set->keys = dict_open(key_table, err)) == NULL) {
	dstr_sprintf(set->err, "dkim_key_table: %s: %s", key_table, dstr_str(err));
    } else if ((ret = dict_walk(set->keys, dkim_keyset_load_one, set)) < 0) {
	dstr_sprintf(set->err, "dkim_key_table: %s: a table of this type cannot list its"
		     " keys; use hash:, btree: or inline:", key_table);
    } else if (ret == 0 && htable_count(set->signers) == 0) {
	dstr_sprintf(set->err, "dkim_key_table: %s: no keys", key_table);
    }
    if (dstr_len(set->err) > 0) {
	dstr_strcpy(err, dstr_str(set->err));
	dkim_keyset_free(set);
	return (NULL);
    }
    return (set);
}

/* dkim_keyset_names - the KEYNAMEs of a signing table value, resolved */

static size_t dkim_keyset_names(DKIM_KEYSET *set, const char *value,
				        const DKIM_SIGNER **signers, DSTR *why)
{
    ARGV   *names = argv_split(value, DKIM_KEYSET_NAME_DELIM);
    DKIM_SIGNER *s;
    DSTR   *key = dstr_new(32);
    size_t  n = 0;
    size_t  i;

    for (i = 0; i < names->argc; i++) {
	dstr_strcpy(key, names->argv[i]);
	str_lower(dstr_data(key));		/* dict folds the keys it lists */
	if ((s = htable_find(set->signers, dstr_str(key))) == NULL) {
	    dstr_sprintf(why, "dkim_signing_table: %s names key \"%s\", which dkim_key_table"
			 " %s lacks", dict_name(set->signing), names->argv[i],
			 dict_name(set->keys));
	} else if (n == DKIM_KEYSET_MAX_SIGNERS) {
	    dstr_sprintf(why, "dkim_signing_table: %s: more than %d keys for one message",
			 dict_name(set->signing), DKIM_KEYSET_MAX_SIGNERS);
	    break;
	} else {
	    signers[n++] = s;
	}
    }
    argv_free(names);
    dstr_free(key);
    return (n);
}

/* dkim_keyset_lookup - who signs mail from addr */

size_t  dkim_keyset_lookup(DKIM_KEYSET *set, const char *addr,
			           const DKIM_SIGNER **signers, DSTR *why)
{
    const char *at = strrchr(addr, '@');
    const char *dom;
    const char *value;

    DSTR_RESET(why);
    if (set->signing == NULL)
	return (0);
    if ((value = dict_get(set->signing, addr)) == NULL && at != NULL) {
	dom = at + 1;
	if ((value = dict_get(set->signing, dom)) == NULL) {
	    /* .example.org for sub.example.org and below, then .org */
	    for (dom = strchr(dom, '.'); dom && value == NULL; dom = strchr(dom + 1, '.'))
		value = dict_get(set->signing, dom);
	}
    }
    if (value == NULL)
	value = dict_get(set->signing, "*");
    return (value ? dkim_keyset_names(set, value, signers, why) : 0);
}

/* dkim_keyset_check_one - DICT_WALK_FN over the signing table */

static int dkim_keyset_check_one(const char *name, const char *value, void *ctx)
{
    DKIM_KEYSET *set = ctx;
    const DKIM_SIGNER *signers[DKIM_KEYSET_MAX_SIGNERS];

    if (dkim_keyset_names(set, value, signers, set->err) == 0 && dstr_len(set->err) == 0)
	dstr_sprintf(set->err, "dkim_signing_table: %s: entry \"%s\" names no key",
		     dict_name(set->signing), name);
    return (dstr_len(set->err) > 0);
}

/* dkim_keyset_check - the signing table names only keys we have */

int     dkim_keyset_check(DKIM_KEYSET *set, DSTR *err)
{
    int     ret;

    if (set->signing == NULL)
	return (0);
    DSTR_RESET(set->err);
    if ((ret = dict_walk(set->signing, dkim_keyset_check_one, set)) < 0) {
	dstr_sprintf(err, "dkim_signing_table: %s: a table of this type cannot list its"
		     " entries; use hash:, btree: or inline:", dict_name(set->signing));
	return (-1);
    }
    if (ret != 0) {
	dstr_strcpy(err, dstr_str(set->err));
	return (-1);
    }
    return (0);
}

/* dkim_keyset_walk - each signer */

typedef struct DKIM_KEYSET_WALK {
    void    (*fn) (const DKIM_SIGNER *, void *);
    void   *ctx;
} DKIM_KEYSET_WALK;

static void dkim_keyset_walk_one(const char *key, void *value, void *ctx)
{
    DKIM_KEYSET_WALK *w = ctx;

    (void) key;
    w->fn(value, w->ctx);
}

void    dkim_keyset_walk(DKIM_KEYSET *set, void (*fn) (const DKIM_SIGNER *, void *), void *ctx)
{
    DKIM_KEYSET_WALK w = {fn, ctx};

    htable_walk(set->signers, dkim_keyset_walk_one, &w);
}

/* dkim_keyset_active - anything to sign with? */

int     dkim_keyset_active(const DKIM_KEYSET *set)
{
    return (set->signing != NULL);
}

/* dkim_keyset_free - release keys and tables */

void    dkim_keyset_free(DKIM_KEYSET *set)
{
    htable_free(set->signers, dkim_keyset_signer_free);
    if (set->keys)
	dict_close(set->keys);
    if (set->signing)
	dict_close(set->signing);
    dstr_free(set->err);
    free(set);
}
