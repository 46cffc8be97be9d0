/*
 * posthorn_sendmail - the sendmail command, for local programs
 * DESCRIPTION
 *	posthorn sendmail [-t] [-i|-oi] [-f SENDER] [-F NAME] [-C DIR]
 *	RECIPIENT... (also as "sendmail" and, for -bp, "mailq", by the name
 *	it was called by) reads a message from standard input and submits
 *	it to this instance's pickup service (submit_proto.h), which learns
 *	from the kernel who we are: nothing here is trusted by the mail
 *	system. The options other programs pass to sendmail are accepted
 *	and, where posthorn has nothing to do for them, ignored, so cron, at
 *	and scripts work unchanged. Without -i a line with a single "." ends
 *	the message, as in sendmail. A leading "From " line is dropped, as
 *	Postfix's sendmail does. With -t the recipients come from To:, Cc:
 *	and Bcc: (hdr_extract.c), added to any named on the command line,
 *	and Bcc: is removed.
 *
 *	Exit status as sendmail's, from <sysexits.h>: 0 queued, EX_USAGE
 *	for a bad option or no recipient, EX_DATAERR for a malformed
 *	header with -t, EX_NOPERM when pickup refuses the user or the
 *	sender, EX_UNAVAILABLE for a refused message, EX_TEMPFAIL when the
 *	mail system cannot take it now (not running, trouble): the caller
 *	keeps the message then, for nothing was queued.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "posthorn.h"
#include "attr.h"
#include "cfg.h"
#include "cfg_params.h"
#include "hdr_extract.h"
#include "ios.h"
#include "msg.h"
#include "mymalloc.h"
#include "netstring.h"
#include "sockutil.h"
#include "submit_proto.h"

#define SENDMAIL_TIMEOUT	300	/* seconds for any one read or write */
#define SENDMAIL_PIECE		SUBMIT_CHUNK	/* bytes of a long line read at once */

/* sendmail_fatal_status - msg_fatal in this command exits EX_TEMPFAIL */

static void sendmail_fatal_status(void)
{
    exit(EX_TEMPFAIL);
}

/* posthorn_sendmail_parse - see posthorn.h */

int     posthorn_sendmail_parse(int argc, char **argv, SENDMAIL_OPTS *opts, DSTR *err)
{
    int     ch;

    memset(opts, 0, sizeof(*opts));
    opts->mode = SENDMAIL_DELIVER;
    optind = 0;					/* GNU: start over, whatever came before */
    opterr = 0;
    /* Every option of Postfix's sendmail; those that take an argument
     * take it, so that it is not read as a recipient. */
    while ((ch = getopt(argc, argv, "+B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:q:r:tvx")) != -1) {
	switch (ch) {
	case 'C':
	    opts->config_dir = optarg;
	    break;
	case 'F':
	    opts->full_name = optarg;
	    break;
	case 'f':
	case 'r':
	    opts->sender = optarg;
	    break;
	case 'i':
	    opts->ignore_dots = 1;
	    break;
	case 'o':				/* -oi; -oem, -odi, -oA... are sendmail's own */
	    if (strcmp(optarg, "i") == 0)
		opts->ignore_dots = 1;
	    break;
	case 't':
	    opts->extract = 1;
	    break;
	case 'b':
	    if (strcmp(optarg, "m") == 0) {
		opts->mode = SENDMAIL_DELIVER;
	    } else if (strcmp(optarg, "p") == 0) {
		opts->mode = SENDMAIL_MAILQ;
	    } else {
		dstr_sprintf(err, "-b%s is not supported: posthorn sendmail only queues mail (-bm)"
			     " or lists the queue (-bp)", optarg);
		return (-1);
	    }
	    break;
	case 'q':
	    if (strcmp(optarg, "") != 0) {
		dstr_sprintf(err, "-q%s is not supported: use -q alone to flush the queue", optarg);
		return (-1);
	    }
	    opts->mode = SENDMAIL_FLUSH;
	    break;
	case 'I':
	    dstr_strcpy(err, "-I (newaliases) is not supported: posthorn keeps no aliases");
	    return (-1);
	case '?':
	    if (optopt == 'q') {		/* -q without a value */
		opts->mode = SENDMAIL_FLUSH;
		break;
	    }
	    dstr_sprintf(err, "bad option -%c, or it needs a value", optopt ? optopt : '?');
	    return (-1);
	default:				/* accepted for compatibility, no effect */
	    break;
	}
    }
    opts->rcpts = argv + optind;
    opts->nrcpt = argc - optind;
    if (opts->mode == SENDMAIL_DELIVER && opts->nrcpt == 0 && !opts->extract) {
	dstr_strcpy(err, "no recipients specified (name them, or use -t)");
	return (-1);
    }
    return (0);
}

/*
 * sendmail_line - one input line without its LF (CR LF too), or the next
 * SENDMAIL_PIECE bytes of a longer one (*had_nl 0: the line goes on), so
 * that no line is held whole in memory; 0 at the end.
 */
static int sendmail_line(FILE *fp, DSTR *line, int *had_nl)
{
    int     c;

    DSTR_RESET(line);
    *had_nl = 0;
    while (dstr_len(line) < SENDMAIL_PIECE && (c = getc_unlocked(fp)) != EOF) {
	if (c == '\n') {
	    *had_nl = 1;
	    break;
	}
	dstr_catc(line, (char) c);
    }
    if (ferror(fp))
	msg_fatal("read message from standard input: %m");
    if (*had_nl && dstr_len(line) > 0 && dstr_str(line)[dstr_len(line) - 1] == '\r')
	dstr_truncate(line, dstr_len(line) - 1);
    return (*had_nl || dstr_len(line) > 0);
}

typedef struct SENDMAIL_READ {
    FILE   *fp;
    int     ignore_dots;
    int     ended;				/* EOF or the "." line seen */
    int     mid_line;				/* the last piece did not end its line */
    DSTR   *line;
    long    limit;				/* message_size_limit: more is refused anyway */
    long    total;
} SENDMAIL_READ;

/* sendmail_next - the next message line with LF, or 0 */

static int sendmail_next(SENDMAIL_READ *rd)
{
    int     nl;
    int     whole;

    if (rd->ended || !sendmail_line(rd->fp, rd->line, &nl)) {
	rd->ended = 1;
	return (0);
    }
    whole = nl && !rd->mid_line;			/* a line of its own, not a tail */
    rd->mid_line = !nl;
    if (whole && !rd->ignore_dots && strcmp(dstr_str(rd->line), ".") == 0) {
	rd->ended = 1;
	return (0);
    }
    if (nl)
	dstr_catc(rd->line, '\n');
    rd->total += (long) dstr_len(rd->line);
    return (1);
}

/*
 * sendmail_head - read the header section into head; what follows it
 * (the empty line, or the first body line) is left in rd->line, marked by
 * *pending. 0, or an exit status after a message to stderr.
 */
static int sendmail_head(SENDMAIL_READ *rd, DSTR *head, int *pending)
{
    int     first = 1;

    *pending = 0;
    while (sendmail_next(rd)) {
	const char *s = dstr_str(rd->line);
	size_t  len = dstr_len(rd->line);

	if (first && strncmp(s, "From ", 5) == 0) {
	    first = 0;
	    continue;				/* mbox "From " line */
	}
	first = 0;
	if (hdr_extract_is_field(s, len)
	    || ((s[0] == ' ' || s[0] == '\t') && dstr_len(head) > 0)) {
	    if (rd->limit > 0 && (long) (dstr_len(head) + len) > rd->limit) {
		fprintf(stderr, "sendmail: message header too big: message_size_limit is %ld\n",
			rd->limit);
		return (EX_DATAERR);
	    }
	    dstr_cat(head, s, len);
	    continue;
	}
	*pending = 1;
	break;
    }
    return (0);
}

/* sendmail_full_name - -F, else $NAME, else the account's GECOS name */

static const char *sendmail_full_name(const SENDMAIL_OPTS *opts, DSTR *buf)
{
    const char *name;
    struct passwd *pw;

    if (opts->full_name)
	return (opts->full_name);
    if ((name = getenv("NAME")) != NULL && *name)
	return (name);
    if ((pw = getpwuid(getuid())) == NULL || pw->pw_gecos == NULL)
	return (NULL);
    dstr_memcpy(buf, pw->pw_gecos, strcspn(pw->pw_gecos, ","));
    return (dstr_len(buf) ? dstr_str(buf) : NULL);
}

/* sendmail_answer - read pickup's attribute list: status and reason */

static int sendmail_answer(IOS *ios, DSTR *reason, DSTR *qid)
{
    ATTR_LIST *ans = attr_list_new();
    const char *val;
    long    status;
    int     err;

    if ((err = attr_read(ios, ans, ATTR_MAX_LEN, 8)) != ATTR_OK) {
	dstr_sprintf(reason, "no answer from the mail system: %s", attr_strerror(err));
	status = SUBMIT_STAT_DEFER;
    } else if (attr_get_long(ans, SUBMIT_ATTR_STATUS, &status, 0, 99) < 0) {
	dstr_strcpy(reason, "malformed answer from the mail system");
	status = SUBMIT_STAT_DEFER;
    } else {
	dstr_strcpy(reason, (val = attr_get_str(ans, SUBMIT_ATTR_REASON)) ? val : "");
	if (qid)
	    dstr_strcpy(qid, (val = attr_get_str(ans, SUBMIT_ATTR_QUEUE_ID)) ? val : "");
    }
    attr_list_free(ans);
    return ((int) status);
}

/* sendmail_exit_status - sysexits code for pickup's status */

static int sendmail_exit_status(int status)
{
    switch (status) {
    case SUBMIT_STAT_OK:
	return (0);
    case SUBMIT_STAT_NOPERM:
	return (EX_NOPERM);
    case SUBMIT_STAT_REJECT:
	return (EX_UNAVAILABLE);
    default:
	return (EX_TEMPFAIL);
    }
}

/* sendmail_connect - step 1 and 2 of submit_proto.h; status */

static int sendmail_connect(const SENDMAIL_OPTS *opts, IOS **iosp, DSTR *reason)
{
    DSTR   *path = dstr_new(128);
    DSTR   *req = dstr_new(256);
    DSTR   *name = dstr_new(64);
    const char *full = sendmail_full_name(opts, name);
    int     status = SUBMIT_STAT_DEFER;
    int     fd;

    *iosp = NULL;
    dstr_sprintf(path, "%s/%s", var_queue_dir, SUBMIT_SERVICE);
    if ((fd = sock_unix_connect(dstr_str(path))) < 0) {
	dstr_sprintf(reason, "cannot reach the mail system at %s: %s (is posthorn running?)",
		     dstr_str(path), strerror(errno));
    } else {
	*iosp = ios_open(fd);
	ios_set_timeout(*iosp, SENDMAIL_TIMEOUT);
	if (opts->sender)
	    attr_put_str(req, SUBMIT_ATTR_SENDER, opts->sender);
	if (full)
	    attr_put_str(req, SUBMIT_ATTR_FULL_NAME, full);
	attr_put_end(req);
	if (ios_write(*iosp, dstr_str(req), dstr_len(req)) < 0 || ios_flush(*iosp) < 0)
	    dstr_sprintf(reason, "cannot talk to the mail system: %s", strerror(errno));
	else
	    status = sendmail_answer(*iosp, reason, NULL);
    }
    dstr_free(path);
    dstr_free(req);
    dstr_free(name);
    return (status);
}

/* sendmail_late_answer - pickup's answer after our writes failed */

static int sendmail_late_answer(IOS *ios, DSTR *reason)
{
    int     fd = dup(ios_fd(ios));
    IOS    *reader;
    int     status;

    if (fd < 0) {
	dstr_sprintf(reason, "cannot read the answer: %s", strerror(errno));
	return (SUBMIT_STAT_DEFER);
    }
    reader = ios_open(fd);
    ios_set_timeout(reader, SENDMAIL_TIMEOUT);
    status = sendmail_answer(reader, reason, NULL);
    (void) ios_close(reader);
    return (status);
}

/* sendmail_send - step 3 and 4: the message, the recipients, the verdict */

static int sendmail_send(IOS *ios, SENDMAIL_READ *rd, const DSTR *head, int pending,
			         ARGV *rcpts, DSTR *reason, DSTR *qid)
{
    DSTR   *chunk = dstr_new(SUBMIT_CHUNK);
    size_t  off;
    size_t  n;
    size_t  i;

    dstr_memcpy(chunk, dstr_str(head), dstr_len(head));
    if (pending)
	dstr_cat(chunk, dstr_str(rd->line), dstr_len(rd->line));
    for (;;) {
	if (dstr_len(chunk) >= SUBMIT_CHUNK / 2 || (rd->ended && dstr_len(chunk) > 0)) {
	    for (off = 0; off < dstr_len(chunk); off += n) {
		n = dstr_len(chunk) - off > SUBMIT_CHUNK ? SUBMIT_CHUNK : dstr_len(chunk) - off;
		(void) netstring_write(ios, dstr_str(chunk) + off, n);
	    }
	    DSTR_RESET(chunk);
	}
	if (rd->ended || ios_failed(ios))
	    break;
	if (sendmail_next(rd))
	    dstr_cat(chunk, dstr_str(rd->line), dstr_len(rd->line));
    }
    (void) ios_write(ios, "0:,", 3);
    for (i = 0; i < rcpts->argc; i++)
	(void) netstring_write(ios, rcpts->argv[i], strlen(rcpts->argv[i]));
    (void) ios_write(ios, "0:,", 3);
    (void) ios_flush(ios);
    dstr_free(chunk);
    if (!ios_failed(ios))
	return (sendmail_answer(ios, reason, qid));
    /* pickup stopped reading: it refused the message (too big) and said
     * why before it closed. The answer waits in our receive queue. */
    return (sendmail_late_answer(ios, reason));
}

/* sendmail_submit - read, extract, connect, send; the exit status */

static int sendmail_submit(const SENDMAIL_OPTS *opts)
{
    SENDMAIL_READ rd = {stdin, opts->ignore_dots, 0, 0, dstr_new(1024), var_message_limit, 0};
    DSTR   *head = dstr_new(4096);
    DSTR   *kept = dstr_new(4096);
    DSTR   *reason = dstr_new(128);
    DSTR   *qid = dstr_new(32);
    ARGV   *rcpts = argv_new(8);
    IOS    *ios = NULL;
    int     pending;
    int     status;
    int     ret;
    int     i;

    for (i = 0; i < opts->nrcpt; i++)
	argv_add(rcpts, opts->rcpts[i]);
    if ((ret = sendmail_head(&rd, head, &pending)) != 0)
	goto done;
    if (opts->extract) {
	if (hdr_extract(dstr_str(head), dstr_len(head), rcpts, kept, reason) < 0) {
	    fprintf(stderr, "sendmail: %s\n", dstr_str(reason));
	    ret = EX_DATAERR;
	    goto done;
	}
	dstr_memcpy(head, dstr_str(kept), dstr_len(kept));
    }
    if (rcpts->argc == 0) {
	fprintf(stderr, "sendmail: no recipients: none named, none in To:, Cc: or Bcc:\n");
	ret = EX_USAGE;
	goto done;
    }
    /* pickup answers DEFER to a user it does not know yet, and a fresh
     * pickup process reads the accounts again: one more try. */
    if ((status = sendmail_connect(opts, &ios, reason)) == SUBMIT_STAT_DEFER && ios) {
	ios_close(ios);
	sleep(1);
	status = sendmail_connect(opts, &ios, reason);
    }
    if (status == SUBMIT_STAT_GO)
	status = sendmail_send(ios, &rd, head, pending, rcpts, reason, qid);
    if ((ret = sendmail_exit_status(status)) != 0)
	fprintf(stderr, "sendmail: %s%s\n", dstr_str(reason),
		ret == EX_TEMPFAIL ? " (message not sent)" : "");
    else if (msg_verbose)
	fprintf(stderr, "sendmail: queued as %s\n", dstr_str(qid));
done:
    if (ios)
	ios_close(ios);
    dstr_free(rd.line);
    dstr_free(head);
    dstr_free(kept);
    dstr_free(reason);
    dstr_free(qid);
    argv_free(rcpts);
    return (ret);
}

/* posthorn_sendmail - the command */

int     posthorn_sendmail(int argc, char **argv)
{
    SENDMAIL_OPTS opts;
    DSTR   *err = dstr_new(128);
    char   *mailq[] = {"queue", 0};
    char   *flush[] = {"flush", 0};

    msg_set_cleanup(sendmail_fatal_status);
    signal(SIGPIPE, SIG_IGN);			/* a refusal comes as an answer */
    if (posthorn_sendmail_parse(argc, argv, &opts, err) < 0) {
	fprintf(stderr, "sendmail: %s\n"
		"usage: sendmail [-t] [-i] [-f SENDER] [-F NAME] [-C DIR] RECIPIENT... < message\n",
		dstr_str(err));
	dstr_free(err);
	return (EX_USAGE);
    }
    dstr_free(err);
    if (opts.config_dir)
	posthorn_set_config_dir(opts.config_dir);
    optind = 0;					/* their getopt starts over on their argv */
    if (opts.mode == SENDMAIL_MAILQ)
	return (posthorn_queue(1, mailq));
    if (opts.mode == SENDMAIL_FLUSH)
	return (posthorn_flush(1, flush));
    posthorn_load_config();
    return (sendmail_submit(&opts));
}
