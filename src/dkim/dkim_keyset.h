/* dkim_keyset - the signing keys of dkim_key_table and who uses them (dkim_signing_table) */
#ifndef DKIM_KEYSET_H
#define DKIM_KEYSET_H
#include <stddef.h>
#include "dkim_key.h"
#include "dstr.h"

/* One entry of dkim_key_table: KEYNAME -> DOMAIN:SELECTOR:/path/key.pem */
typedef struct DKIM_SIGNER {
    char   *name;			/* KEYNAME */
    char   *domain;			/* d= */
    char   *selector;			/* s= */
    char   *path;
    DKIM_KEY *key;
} DKIM_SIGNER;

typedef struct DKIM_KEYSET DKIM_KEYSET;

#define DKIM_KEYSET_MAX_SIGNERS	8	/* signatures one message can get */

/*
 * Open both tables (main.cf's dkim_key_table and dkim_signing_table
 * values) and load every key the key table lists, now: a daemon calls this
 * before it drops privileges and enters its chroot. Warnings (a weak RSA
 * key, a key file others can read) are logged. NULL, with err naming the
 * parameter, table and KEYNAME, for a table that cannot be opened or
 * listed, a malformed entry, or a key that cannot be used. An empty
 * signing table gives an empty set (nothing is signed).
 */
extern DKIM_KEYSET *dkim_keyset_open(const char *key_table, const char *signing_table, DSTR *err);

/*
 * The signers for a From: address: the first signing table hit for the
 * address, its domain, each parent domain with a leading dot, then "*".
 * Fills signers (at most DKIM_KEYSET_MAX_SIGNERS) and returns how many; a
 * KEYNAME the key table lacks is skipped and named in why (which is
 * otherwise left empty).
 */
extern size_t dkim_keyset_lookup(DKIM_KEYSET *set, const char *addr,
				         const DKIM_SIGNER **signers, DSTR *why);

/*
 * For posthorn check: every value of the signing table names only keys of
 * the key table, at most DKIM_KEYSET_MAX_SIGNERS. 0, or -1 with err (the
 * signing table must be listable then).
 */
extern int dkim_keyset_check(DKIM_KEYSET *set, DSTR *err);

/* Call fn for each loaded signer, for posthorn check's DNS comparison. */
extern void dkim_keyset_walk(DKIM_KEYSET *set, void (*fn) (const DKIM_SIGNER *, void *), void *ctx);

/* Is signing configured at all (a non-empty signing table)? */
extern int dkim_keyset_active(const DKIM_KEYSET *set);

extern void dkim_keyset_free(DKIM_KEYSET *set);

#endif
