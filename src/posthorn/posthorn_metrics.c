/*
 * posthorn_metrics - the instance's metrics, as Prometheus reads them
 * DESCRIPTION
 *	posthorn metrics prints the Prometheus text exposition format on
 *	standard output: the spool's queues (spool_stats.c, read here) and,
 *	while the instance runs, the queue manager's counters and scheduler
 *	gauges (asked of qmgr, as posthorn status does), with posthorn_up
 *	saying whether qmgr answered, and anvil's QMQP counters. For root and mail_owner, like status
 *	-j: the queue directories are theirs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "posthorn.h"
#include "cfg_params.h"
#include "dstr.h"
#include "msg.h"
#include "anvil_proto.h"
#include "prom_text.h"
#include "qmqp_metrics.h"
#include "spool_stats.h"

/* posthorn_metrics - the command */

int     posthorn_metrics(int argc, char **argv)
{
    SPOOL_STATS stats[SPOOL_STATS_QUEUES];
    DSTR   *out = dstr_new(8192);
    DSTR   *body = dstr_new(8192);
    DSTR   *why = dstr_new(128);
    int     up = 0;
    int     running;
    int     fd;

    (void) argv;
    if (argc > 1)
	msg_fatal("usage: posthorn metrics");
    posthorn_load_config_readonly();
    posthorn_require_privilege("metrics");
    if ((fd = open(var_queue_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	msg_fatal("open %s: %m", var_queue_dir);
    spool_stats_read(fd, stats);
    close(fd);
    spool_stats_metrics(stats, time((time_t *) 0), out);
    running = posthorn_master_pid() > 0;
    if (running && posthorn_qmgr_running()) {
	if (posthorn_qmgr_report("metrics", body, why) == 0)
	    up = 1;
	else
	    msg_warn("queue manager: %s", dstr_str(why));
    }
    prom_family(out, "posthorn_up", "gauge", "1 when the queue manager answered this scrape");
    prom_sample(out, up, "posthorn_up", NULL);
    dstr_cat(out, dstr_str(body), dstr_len(body));
    if (running) {				/* qmqpd counts with anvil, qmgr or not */
	dstr_sprintf(why, "%s/%s", var_queue_dir, ANVIL_SERVICE);
	(void) qmqp_metrics(dstr_str(why), out);
    }
    if (fwrite(dstr_str(out), 1, dstr_len(out), stdout) != dstr_len(out) || fflush(stdout) != 0)
	msg_fatal("write standard output: %m");
    dstr_free(out);
    dstr_free(body);
    dstr_free(why);
    return (0);				/* posthorn_up says whether qmgr answered */
}
