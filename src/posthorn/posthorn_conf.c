/*
 * posthorn_conf - show and edit main.cf, as postconf does
 * DESCRIPTION
 *	posthorn conf [-d | -n] [-x] [NAME ...]: every parameter's value,
 *	the defaults (-d), or only what main.cf sets (-n); -x expands $names.
 *	posthorn conf -t prints the parameter table itself (name, type,
 *	default, bounds, meaning). posthorn conf -e NAME=VALUE ... edits
 *	main.cf in place, keeping comments; run posthorn reload afterwards.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posthorn.h"
#include "cfg.h"
#include "fsutil.h"
#include "msg.h"

/* posthorn_conf_edit - postconf -e, but an edit that breaks main.cf is undone */

static int posthorn_conf_edit(char **settings)
{
    DSTR   *err = dstr_new(128);
    DSTR   *path = dstr_new(128);
    DSTR   *old = dstr_new(4096);
    struct stat st;

    dstr_sprintf(path, "%s/main.cf", cfg_default_dir());
    if (fs_read_file(dstr_str(path), old, 0) < 0 || stat(dstr_str(path), &st) < 0)
	msg_fatal("read %s: %m", dstr_str(path));
    if (cfg_edit(cfg_default_dir(), settings, err) < 0)
	msg_fatal("%s", dstr_str(err));
    if (cfg_load(cfg_default_dir(), err) < 0) {
	if (fs_replace_file(dstr_str(path), dstr_str(old), dstr_len(old), st.st_mode & 07777) < 0)
	    msg_fatal("%s; restoring %s: %m", dstr_str(err), dstr_str(path));
	msg_fatal("%s -- main.cf left unchanged", dstr_str(err));
    }
    dstr_free(err);
    dstr_free(path);
    dstr_free(old);
    return (0);
}

/* posthorn_conf - the command */

int     posthorn_conf(int argc, char **argv)
{
    int     mode = CFG_PRINT_ALL;
    int     expand = 0;
    int     edit = 0;
    int     ch;
    int     ret;

    int     value_only = 0;

    while ((ch = getopt(argc, argv, "dehntx")) != -1) {
	switch (ch) {
	case 'd':
	    mode = CFG_PRINT_DEFAULTS;
	    break;
	case 'n':
	    mode = CFG_PRINT_NONDEFAULT;
	    break;
	case 't':
	    mode = CFG_PRINT_TABLE;
	    break;
	case 'x':
	    expand = CFG_PRINT_EXPAND;
	    break;
	case 'h':
	    value_only = CFG_PRINT_VALUE;
	    break;
	case 'e':
	    edit = 1;
	    break;
	default:
	    msg_fatal("usage: posthorn conf [-d | -n | -t] [-h] [-x] [NAME ...] | "
		      "posthorn conf -e NAME=VALUE ...");
	}
    }
    if (edit) {
	if (optind >= argc)
	    msg_fatal("usage: posthorn conf -e NAME=VALUE ...");
	return (posthorn_conf_edit(argv + optind));
    }
    if (mode != CFG_PRINT_DEFAULTS && mode != CFG_PRINT_TABLE)
	posthorn_load_config();
    if (value_only && mode == CFG_PRINT_TABLE)
	msg_fatal("posthorn conf: -h and -t do not go together");
    ret = cfg_print(stdout, mode | expand | value_only, optind < argc ? argv + optind : NULL);
    return (ret < 0 ? 1 : 0);
}
