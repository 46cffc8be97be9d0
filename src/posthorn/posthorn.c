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
#include "cfg_params.h"
#include "fsutil.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct POSTHORN_CMD {
    const char *name;
    int     (*fn) (int, char **);
    const char *usage;
    const char *what;			/* one line for help */
} POSTHORN_CMD;

static int posthorn_help(int, char **);

static const POSTHORN_CMD posthorn_cmds[] = {
    {"init", posthorn_init, "init DIR [--qmqp ADDR:PORT] [NAME=VALUE ...]",
    "create an instance: DIR/main.cf, master.cf, default tables, spool"},
    {"start", posthorn_start, "start", "start the instance in the background"},
    {"start-fg", posthorn_start_fg, "start-fg", "start it in the foreground, log lines on stdout"},
    {"stop", posthorn_stop, "stop", "stop it and wait until it has stopped"},
    {"reload", posthorn_reload, "reload", "check, then reload main.cf and master.cf"},
    {"status", posthorn_status, "status [-j|--json] [-s|--summary]", "is it running; queues, totals, the scheduler's state"},
    {"metrics", posthorn_metrics, "metrics",
    "queue sizes, delivery totals, destinations, for Prometheus"},
    {"check", posthorn_check, "check [-v]", "check configuration, tables, keys and spool"},
    {"logrotate", posthorn_logrotate, "logrotate", "rotate maillog_file"},
    {"queue", posthorn_queue, "queue [-j] | queue -s [QSHAPE-OPTIONS] [QUEUE ...]",
    "list the queued mail; with -s, its shape (as qshape)"},
    {"qshape", posthorn_qshape, "qshape [-s] [-j] [-n N] [-b BUCKETS] [-t MINUTES] [QUEUE ...]",
    "queued recipients (-s: senders) by domain and age, as Postfix's qshape"},
    {"cat", posthorn_cat, "cat QUEUE_ID...", "show queued messages"},
    {"conf", posthorn_conf,
	"conf [-d | -n | -t] [-h] [-x] [NAME ...] | conf -e NAME=VALUE ...",
    "show or edit main.cf parameters"},
    {"flush", posthorn_flush, "flush", "deliver deferred mail now, lift throttles"},
    {"hold", posthorn_admin, "hold QUEUE_ID... | ALL", "put messages on hold"},
    {"release", posthorn_admin, "release QUEUE_ID... | ALL", "release held messages"},
    {"delete", posthorn_admin, "delete QUEUE_ID... | ALL", "remove messages"},
    {"requeue", posthorn_admin, "requeue QUEUE_ID... | ALL", "queue messages anew"},
    {"map", posthorn_map, "map [-q KEY|-] [TYPE:]FILE ...", "build or query a lookup table"},
    {"sendmail", posthorn_sendmail,
	"sendmail [-t] [-i] [-f SENDER] [-F NAME] RECIPIENT ... < message",
    "submit a message as a local user (as sendmail; -bp lists, -q flushes)"},
    {"send", posthorn_send, "send [-s ADDR:PORT] [-f SENDER] RECIPIENT ... < message",
    "submit a message over QMQP"},
    {"dkim", posthorn_dkim, "dkim keygen [-t rsa|ed25519] [-b BITS] DOMAIN SELECTOR KEYFILE",
    "make a DKIM key and its DNS record"},
    {"dkim", posthorn_dkim, "dkim verify [FILE]", "check a message's DKIM signatures"},
    {"help", posthorn_help, "help [COMMAND]", "this list, or one command's usage"},
    {0, 0, 0, 0},
};

/* posthorn_list - the commands, with what they do */

static void posthorn_list(FILE *fp)
{
    const POSTHORN_CMD *cmd;

    fprintf(fp, "usage: posthorn [-c config_dir] [-v] COMMAND [arguments]\n"
	    "       posthorn --help | --version\ncommands:\n");
    for (cmd = posthorn_cmds; cmd->name; cmd++)
	fprintf(fp, "  %-24s %s\n", cmd->name, cmd->what);
    fprintf(fp, "posthorn help COMMAND shows its usage; see posthorn(1).\n");
}

/* posthorn_usage - a mistake: the list on stderr, exit status 2 (EX_USAGE-like) */

static int posthorn_usage(void)
{
    posthorn_list(stderr);
    return (2);
}

/* posthorn_help - posthorn help [COMMAND]: on stdout, exit status 0 */

static int posthorn_help(int argc, char **argv)
{
    const POSTHORN_CMD *cmd;
    int     found = 0;

    if (argc < 2) {
	posthorn_list(stdout);
	return (0);
    }
    for (cmd = posthorn_cmds; cmd->name; cmd++) {
	if (strcmp(cmd->name, argv[1]) == 0) {
	    printf("usage: posthorn [-c config_dir] %s\n    %s\n", cmd->usage, cmd->what);
	    found = 1;
	}
    }
    if (!found) {
	msg_warn("unknown command: %s", argv[1]);
	return (posthorn_usage());
    }
    return (0);
}

/* posthorn_mailq - "mailq [options]" is "sendmail -bp [options]" */

static int posthorn_mailq(int argc, char **argv)
{
    char  **args = mymalloc(((size_t) argc + 2) * sizeof(*args));
    int     ret;
    int     i;

    args[0] = argv[0];
    args[1] = "-bp";
    for (i = 1; i <= argc; i++)
	args[i + 1] = argv[i];
    ret = posthorn_sendmail(argc + 1, args);
    free(args);
    return (ret);
}

int     main(int argc, char **argv)
{
    const POSTHORN_CMD *cmd;
    const char *env;
    int     ch;

    msg_init("posthorn");
    /* Installed as sendmail and mailq too (links to this program). */
    if ((env = strrchr(argv[0], '/')) != NULL)
	env++;
    else
	env = argv[0];
    if (strcmp(env, "sendmail") == 0)
	return (posthorn_sendmail(argc, argv));
    if (strcmp(env, "mailq") == 0)		/* sendmail -bp, and its -C */
	return (posthorn_mailq(argc, argv));
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
	posthorn_list(stdout);
	return (0);
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
	printf("posthorn %s\n", cfg_mail_version);
	return (0);
    }
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
