/*
 * fuzz_maincf - libFuzzer target for main.cf parsing and $name expansion
 * DESCRIPTION
 *	Loads the input as main.cf text, then exercises what a loaded
 *	configuration offers (lookups, unknown names, printing) so that the
 *	expansion results are read as well as produced, and unloads again
 *	so that every input starts from the same empty state.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dstr.h"
#include "argv.h"
#include "cfg.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one main.cf text */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    DSTR   *err = dstr_new(100);
    int     num;

    if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
	abort();
    cfg_set_hostname("fuzz");			/* same result on every host */
    if (cfg_load_text((const char *) data, size, "main.cf", err) == 0) {
	(void) cfg_lookup("a");
	(void) cfg_lookup_int("smtp_process_limit", "default_process_limit",
			      &num, err);
	(void) cfg_lookup_time("smtp_qmqpd_timeout", "qmqpd_timeout", &num, err);
	(void) cfg_lookup_bool("smtp_soft_bounce", "soft_bounce", &num, err);
	argv_free(cfg_unknown_names(NULL, NULL));
	(void) cfg_print(devnull, CFG_PRINT_NONDEFAULT | CFG_PRINT_EXPAND, NULL);
    }
    cfg_unload();
    dstr_free(err);
    return (0);
}
