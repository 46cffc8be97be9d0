/*
 * fuzz_mastercf - libFuzzer target for master.cf parsing
 * DESCRIPTION
 *	Parses the input as master.cf text and walks the result, so that
 *	every string the parser hands out is read at least once. Fields are
 *	disjoint pieces of the input, so together they cannot be longer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "argv.h"
#include "mastercf.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one master.cf text */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DSTR   *err = dstr_new(100);
    MASTERCF *cf;
    size_t  i;
    size_t  j;
    size_t  total = 0;

    if ((cf = mastercf_parse_text((const char *) data, size, "master.cf", err)) != NULL) {
	for (i = 0; i < cf->count; i++) {
	    total += strlen(cf->entries[i].name) + strlen(cf->entries[i].type);
	    for (j = 0; j < cf->entries[i].args->argc; j++)
		total += strlen(cf->entries[i].args->argv[j]);
	    if (cf->entries[i].args->argv[j] != NULL)
		abort();			/* argv must stay NULL-terminated */
	}
	if (total > size)
	    abort();				/* fields are disjoint pieces of input */
	mastercf_free(cf);
    } else if (dstr_len(err) == 0) {
	abort();				/* a failure must say why */
    }
    dstr_free(err);
    return (0);
}
