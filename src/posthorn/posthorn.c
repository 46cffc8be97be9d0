/*
 * posthorn - the administrator's command
 * DESCRIPTION
 *	posthorn [-c config_dir] COMMAND [arguments]: creates instances,
 *	starts and stops them, shows and edits configuration, lists and dumps
 *	queued mail, builds lookup tables, submits a message over QMQP, makes
 *	DKIM keys and checks DKIM signatures. See posthorn(1).
 *	-c selects the instance (default: $POSTHORN_CONFIG_DIR, else
 *	/etc/posthorn); it is passed on to the master it starts, made
 *	absolute first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posthorn.h"
#include "cfg.h"
#include "fsutil.h"
#include "msg.h"

typedef struct POSTHORN_CMD {
    const char *name;
    int     (*fn) (int, char **);
    const char *usage;
} POSTHORN_CMD;

static const POSTHORN_CMD posthorn_cmds[] = {
    {"init", posthorn_init, "init DIR [--qmqp ADDR:PORT] [NAME=VALUE ...]"},
    {"start", posthorn_start, "start"},
    {"start-fg", posthorn_start_fg, "start-fg"},
    {"stop", posthorn_stop, "stop"},
    {"reload", posthorn_reload, "reload"},
    {"status", posthorn_status, "status"},
    {"check", posthorn_check, "check [-v]"},
    {"logrotate", posthorn_logrotate, "logrotate"},
    {"queue", posthorn_queue, "queue [-j]"},
    {"cat", posthorn_cat, "cat QUEUE_ID..."},
    {"conf", posthorn_conf, "conf [-d | -n] [-x] [NAME ...] | conf -e NAME=VALUE ..."},
    {"flush", posthorn_flush, "flush"},
    {"hold", posthorn_admin, "hold QUEUE_ID... | ALL"},
    {"release", posthorn_admin, "release QUEUE_ID... | ALL"},
    {"delete", posthorn_admin, "delete QUEUE_ID... | ALL"},
    {"requeue", posthorn_admin, "requeue QUEUE_ID... | ALL"},
    {"map", posthorn_map, "map [-q KEY|-] [TYPE:]FILE ..."},
    {"send", posthorn_send, "send [-s ADDR:PORT] [-f SENDER] RECIPIENT ... < message"},
    {"dkim", posthorn_dkim, "dkim keygen [-t rsa|ed25519] [-b BITS] DOMAIN SELECTOR KEYFILE"},
    {"dkim", posthorn_dkim, "dkim verify [FILE]"},
    {0, 0, 0},
};

/* posthorn_usage - list commands */

static int posthorn_usage(void)
{
    const POSTHORN_CMD *cmd;

    fprintf(stderr, "usage: posthorn [-c config_dir] COMMAND [arguments]\ncommands:\n");
    for (cmd = posthorn_cmds; cmd->name; cmd++)
	fprintf(stderr, "  %s\n", cmd->usage);
    return (2);
}

/*
 * posthorn_set_config_dir - select the instance, by an absolute name: the
 * master a command starts works from queue_directory, and so do the
 * daemons that inherit the name from it.
 */

static void posthorn_set_config_dir(const char *dir)
{
    DSTR   *abs = dstr_new(256);

    if (fs_absolute(dir, abs) < 0)
	msg_fatal("getcwd: %m");
    if (setenv(CFG_ENV_CONFIG_DIR, dstr_str(abs), 1) < 0)
	msg_fatal("setenv: %m");
    dstr_free(abs);
}

int     main(int argc, char **argv)
{
    const POSTHORN_CMD *cmd;
    const char *env;
    int     ch;

    msg_init("posthorn");
    while ((ch = getopt(argc, argv, "+c:v")) != -1) {
	switch (ch) {
	case 'c':
	    posthorn_set_config_dir(optarg);
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    return (posthorn_usage());
	}
    }
    if (optind >= argc)
	return (posthorn_usage());
    if ((env = getenv(CFG_ENV_CONFIG_DIR)) != NULL && *env && *env != '/')
	posthorn_set_config_dir(env);
    for (cmd = posthorn_cmds; cmd->name; cmd++) {
	if (strcmp(cmd->name, argv[optind]) == 0) {
	    optind++;
	    /* Subcommands parse their own options from a fresh start. */
	    argv += optind - 1;
	    argc -= optind - 1;
	    optind = 1;
	    return (cmd->fn(argc, argv));
	}
    }
    msg_warn("unknown command: %s", argv[optind]);
    return (posthorn_usage());
}
