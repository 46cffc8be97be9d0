/*
 * mastercf - parse master.cf, the list of services master runs
 * DESCRIPTION
 *	Postfix's syntax: "#" comment lines, logical lines continued by lines
 *	that start with white space (comment and blank lines inside an entry
 *	are skipped), then eight columns: service type private unpriv chroot
 *	wakeup maxproc command, followed by the command's arguments. An
 *	argument "{ ... }" is one argument with the braces and the white
 *	space just inside them removed (Postfix 3.0), so "-o { smtpd_banner =
 *	hello world }" passes "smtpd_banner=hello world" as one word.
 *
 *	The parser is a pure function of the text (fuzzed); every problem
 *	comes back as one line naming the file and the line where the entry
 *	starts, so master can refuse a bad file at reload and keep running.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mymalloc.h"
#include "msg.h"
#include "strutil.h"
#include "mastercf.h"

#define MASTERCF_FIELDS	8		/* columns before the arguments */

#define MASTERCF_ISSPACE(c)	isspace((unsigned char) (c))

static const char *const mastercf_columns[MASTERCF_FIELDS] = {
    "service", "type", "private", "unpriv", "chroot", "wakeup", "maxproc",
    "command",
};

 /*
  * Parser state shared by the helpers below.
  */
typedef struct MASTERCF_PARSE {
    MASTERCF *cf;
    const char *filename;
    DSTR   *err;
    int     line;			/* first line of the current entry */
} MASTERCF_PARSE;

/* mastercf_fail - "FILE, line N: text" into err; returns -1 */

static int PRINTF_LIKE(3, 4) mastercf_fail(MASTERCF_PARSE *mp, int line,
					           const char *fmt,...)
{
    va_list ap;

    dstr_sprintf(mp->err, "%s, line %d: ", mp->filename, line);
    va_start(ap, fmt);
    dstr_vprintf(mp->err, fmt, ap);
    va_end(ap);
    return (-1);
}

/* mastercf_group - one "{ ... }" argument: 2, or -1 when unbalanced */

static int mastercf_group(MASTERCF_PARSE *mp, const char **cpp, DSTR *tok)
{
    const char *open = *cpp;
    const char *cp;
    const char *start;
    const char *end;
    int     level = 0;

    for (cp = open; *cp; cp++) {
	if (*cp == '{')
	    level++;
	else if (*cp == '}' && --level == 0)
	    break;
    }
    if (*cp == 0)
	return (mastercf_fail(mp, mp->line, "missing '}' after \"%.20s\"", open));
    if (cp[1] != 0 && !MASTERCF_ISSPACE(cp[1]))
	return (mastercf_fail(mp, mp->line, "text after '}' in \"%.*s\"",
			      (int) (cp - open + 2), open));
    for (start = open + 1; start < cp && MASTERCF_ISSPACE(*start); start++)
	 /* void */ ;
    for (end = cp; end > start && MASTERCF_ISSPACE(end[-1]); end--)
	 /* void */ ;
    dstr_memcpy(tok, start, (size_t) (end - start));
    *cpp = cp + 1;
    return (2);
}

/* mastercf_token - next field: 1, a "{ ... }" group (if allowed): 2, end: 0 */

static int mastercf_token(MASTERCF_PARSE *mp, const char **cpp, DSTR *tok,
			          int groups)
{
    const char *cp = *cpp;
    const char *start;

    while (MASTERCF_ISSPACE(*cp))
	cp++;
    if (*cp == 0)
	return (0);
    if (groups && *cp == '{') {
	*cpp = cp;
	return (mastercf_group(mp, cpp, tok));
    }
    for (start = cp; *cp && !MASTERCF_ISSPACE(*cp); cp++)
	 /* void */ ;
    dstr_memcpy(tok, start, (size_t) (cp - start));
    *cpp = cp;
    return (1);
}

/* mastercf_unspace - "name = value" to "name=value" */

static void mastercf_unspace(DSTR *tok)
{
    char   *buf = dstr_data(tok);
    char   *eq = strchr(buf, '=');
    char   *ne;
    char   *vp;

    if (eq == NULL)
	return;
    for (ne = eq; ne > buf && MASTERCF_ISSPACE(ne[-1]); ne--)
	 /* void */ ;
    for (vp = eq + 1; MASTERCF_ISSPACE(*vp); vp++)
	 /* void */ ;
    *ne++ = '=';
    memmove(ne, vp, strlen(vp) + 1);
    dstr_truncate(tok, strlen(buf));
}

/* mastercf_flag - y, n or - (the default) */

static int mastercf_flag(MASTERCF_PARSE *mp, char **fields, int col,
			         int def, int *result)
{
    const char *f = fields[col];

    if (strcmp(f, "-") == 0)
	*result = def;
    else if (strcmp(f, "y") == 0)
	*result = 1;
    else if (strcmp(f, "n") == 0)
	*result = 0;
    else
	return (mastercf_fail(mp, mp->line, "bad %s field \"%s\" (use y, n or -)",
			      mastercf_columns[col], f));
    return (0);
}

/* mastercf_number - decimal in [min, INT_MAX], digits only */

static int mastercf_number(const char *str, size_t len, long min, int *result)
{
    char   *copy = mystrndup(str, len);
    long    num;
    int     ok = str_alldig(copy) && str_to_long(copy, min, INT_MAX, &num) == 0;

    free(copy);
    if (ok)
	*result = (int) num;
    return (ok ? 0 : -1);
}

/* mastercf_wakeup - "-", 0, or N seconds, "N?" when only if used */

static int mastercf_wakeup(MASTERCF_PARSE *mp, const char *f,
			           MASTERCF_ENTRY *ent)
{
    size_t  len = strlen(f);

    ent->wakeup = 0;
    ent->wakeup_if_used = 0;
    if (strcmp(f, "-") == 0 || strcmp(f, "0") == 0)
	return (0);
    if (len > 1 && f[len - 1] == '?') {
	ent->wakeup_if_used = 1;
	len--;
    }
    if (mastercf_number(f, len, 1, &ent->wakeup) < 0)
	return (mastercf_fail(mp, mp->line, "bad wakeup field \"%s\"", f));
    return (0);
}

/* mastercf_fields - check the first seven columns into ent */

static int mastercf_fields(MASTERCF_PARSE *mp, char **f, MASTERCF_ENTRY *ent)
{
    if (strcmp(f[1], "inet") != 0 && strcmp(f[1], "unix") != 0
	&& strcmp(f[1], "unix-dgram") != 0)
	return (mastercf_fail(mp, mp->line, "bad type field \"%s\" "
			      "(use inet, unix or unix-dgram)", f[1]));

    /*
     * A UNIX-domain service name becomes a socket path under private/ or
     * public/; a slash would put it somewhere else.
     */
    if (strcmp(f[1], "inet") != 0 && strchr(f[0], '/') != NULL)
	return (mastercf_fail(mp, mp->line, "bad service field \"%s\" "
			      "(a %s service name must not contain '/')",
			      f[0], f[1]));
    if (mastercf_flag(mp, f, 2, 1, &ent->private_) < 0
	|| mastercf_flag(mp, f, 3, 1, &ent->unpriv) < 0
	|| mastercf_flag(mp, f, 4, 0, &ent->chroot) < 0
	|| mastercf_wakeup(mp, f[5], ent) < 0)
	return (-1);
    if (strcmp(f[6], "-") == 0)
	ent->maxproc = -1;
    else if (mastercf_number(f[6], strlen(f[6]), 0, &ent->maxproc) < 0)
	return (mastercf_fail(mp, mp->line, "bad maxproc field \"%s\"", f[6]));
    return (0);
}

/* mastercf_args - command and arguments, "{ ... }" groups unwrapped */

static int mastercf_args(MASTERCF_PARSE *mp, const char *cp, ARGV *args)
{
    DSTR   *tok = dstr_new(64);
    int     ret;
    int     after_o = 0;

    while ((ret = mastercf_token(mp, &cp, tok, 1)) > 0) {
	if (after_o && ret == 2)
	    mastercf_unspace(tok);		/* -o { name = value } */
	after_o = (strcmp(dstr_str(tok), "-o") == 0);
	argv_add(args, dstr_str(tok));
    }
    dstr_free(tok);
    return (ret < 0 ? -1 : 0);
}

/* mastercf_duplicate - same service name and type seen before? */

static int mastercf_duplicate(MASTERCF_PARSE *mp, const MASTERCF_ENTRY *ent)
{
    size_t  i;
    const MASTERCF_ENTRY *old;

    for (i = 0; i < mp->cf->count; i++) {
	old = mp->cf->entries + i;
	if (strcmp(old->name, ent->name) == 0 && strcmp(old->type, ent->type) == 0)
	    return (mastercf_fail(mp, mp->line, "duplicate service \"%s\" type "
				  "\"%s\" (first defined at line %d)",
				  ent->name, ent->type, old->line));
    }
    return (0);
}

/*
 * What each daemon needs of its socket. The others find a daemon's socket
 * by its place: qmgr and showq take requests from every local user in
 * public/; the rest serve only the mail system, in private/ (0700
 * mail_owner), and a public log socket would let any local user write
 * the mail log or stall every daemon's logging (docs/design.md).
 */
static const struct {
    const char *command;
    const char *type;
    int     private_;			/* -1: any */
} mastercf_needs[] = {
    {"qmgr", "unix-dgram", 0},
    {"postlogd", "unix-dgram", 1},
    {"showq", "unix", 0},
    {"cleanup", "unix", 1},
    {"smtp", "unix", 1},
    {"bounce", "unix", 1},
    {"scache", "unix", 1},
    {"anvil", "unix", 1},
    {"qmqpd", "inet", -1},
    {0},
};

/* mastercf_check_needs - the socket a known daemon needs, or why not */

static int mastercf_check_needs(MASTERCF_PARSE *mp, const MASTERCF_ENTRY *ent)
{
    const char *cmd = ent->args->argv[0];
    const char *slash = strrchr(cmd, '/');
    int     i;

    cmd = slash ? slash + 1 : cmd;
    for (i = 0; mastercf_needs[i].command; i++) {
	if (strcmp(mastercf_needs[i].command, cmd) != 0)
	    continue;
	if (strcmp(mastercf_needs[i].type, ent->type) != 0)
	    return (mastercf_fail(mp, mp->line, "service \"%s\": %s needs type %s, not %s",
				  ent->name, cmd, mastercf_needs[i].type, ent->type));
	if (mastercf_needs[i].private_ >= 0 && mastercf_needs[i].private_ != ent->private_)
	    return (mastercf_fail(mp, mp->line, "service \"%s\": %s needs private %s"
				  " (its socket belongs in %s/)", ent->name, cmd,
				  mastercf_needs[i].private_ ? "y" : "n",
				  mastercf_needs[i].private_ ? "private" : "public"));
	break;
    }
    return (0);
}

/* mastercf_entry_free - release what one entry owns */

static void mastercf_entry_free(MASTERCF_ENTRY *ent)
{
    free(ent->name);
    free(ent->type);
    argv_free(ent->args);
}

/* mastercf_append - add a finished entry, doubling the array as needed */

static void mastercf_append(MASTERCF *cf, const MASTERCF_ENTRY *ent)
{
    if ((cf->count & (cf->count - 1)) == 0)	/* 0, 1, 2, 4 ...: full */
	cf->entries = myrealloc(cf->entries,
				(cf->count ? cf->count * 2 : 1) * sizeof(*ent));
    cf->entries[cf->count++] = *ent;
}

/* mastercf_entry - one logical line into an entry */

static int mastercf_entry(MASTERCF_PARSE *mp, const char *line)
{
    MASTERCF_ENTRY ent;
    ARGV   *fields = argv_new(MASTERCF_FIELDS);
    DSTR   *tok = dstr_new(64);
    const char *cp = line;
    int     ret = 0;

    memset(&ent, 0, sizeof(ent));
    while (fields->argc < MASTERCF_FIELDS && mastercf_token(mp, &cp, tok, 0) > 0)
	argv_add(fields, dstr_str(tok));
    dstr_free(tok);
    if (fields->argc < MASTERCF_FIELDS)
	ret = mastercf_fail(mp, mp->line, "%zu fields, need at least %d "
			    "(service type private unpriv chroot wakeup "
			    "maxproc command)", fields->argc, MASTERCF_FIELDS);
    if (ret == 0)
	ret = mastercf_fields(mp, fields->argv, &ent);
    if (ret == 0) {
	ent.name = mystrdup(fields->argv[0]);
	ent.type = mystrdup(fields->argv[1]);
	ent.line = mp->line;
	ent.args = argv_new(4);
	argv_add(ent.args, fields->argv[7]);
	if ((ret = mastercf_args(mp, cp, ent.args)) == 0)
	    ret = mastercf_duplicate(mp, &ent);
	if (ret == 0)
	    ret = mastercf_check_needs(mp, &ent);
	if (ret == 0)
	    mastercf_append(mp->cf, &ent);
	else
	    mastercf_entry_free(&ent);
    }
    argv_free(fields);
    return (ret);
}

/* mastercf_line - fold one physical line into the logical line */

static int mastercf_line(MASTERCF_PARSE *mp, DSTR *logical, const char *line,
			         size_t len, int lineno)
{
    size_t  first;
    size_t  end = len;

    if (memchr(line, 0, len) != NULL)
	return (mastercf_fail(mp, lineno, "NUL character in line"));
    for (first = 0; first < len && MASTERCF_ISSPACE(line[first]); first++)
	 /* void */ ;
    if (first == len || line[first] == '#')
	return (0);				/* blank or comment */
    while (end > first && MASTERCF_ISSPACE(line[end - 1]))
	end--;
    if (first > 0) {				/* continuation */
	if (mp->line == 0)
	    return (mastercf_fail(mp, lineno, "continuation line without "
				  "a preceding service entry"));
	dstr_catc(logical, ' ');
	dstr_cat(logical, line + first, end - first);
	return (0);
    }
    if (mp->line && mastercf_entry(mp, dstr_str(logical)) < 0)
	return (-1);
    dstr_memcpy(logical, line, end);
    mp->line = lineno;
    return (0);
}

/* mastercf_parse_text - master.cf text to entries */

MASTERCF *mastercf_parse_text(const char *text, size_t len,
			              const char *filename, DSTR *err)
{
    MASTERCF_PARSE mp;
    DSTR   *logical = dstr_new(128);
    const char *cp = text;
    const char *end = text + len;
    const char *eol;
    int     lineno = 0;
    int     ret = 0;

    mp.cf = mycalloc(1, sizeof(*mp.cf));
    mp.filename = filename;
    mp.err = err;
    mp.line = 0;
    while (ret == 0 && cp < end) {
	if ((eol = memchr(cp, '\n', (size_t) (end - cp))) == NULL)
	    eol = end;
	ret = mastercf_line(&mp, logical, cp, (size_t) (eol - cp), ++lineno);
	cp = (eol < end) ? eol + 1 : end;
    }
    if (ret == 0 && mp.line)
	ret = mastercf_entry(&mp, dstr_str(logical));
    dstr_free(logical);
    if (ret < 0) {
	mastercf_free(mp.cf);
	return (NULL);
    }
    return (mp.cf);
}

/* mastercf_parse_file - read and parse a master.cf file */

MASTERCF *mastercf_parse_file(const char *path, DSTR *err)
{
    DSTR   *text = dstr_new(4096);
    MASTERCF *cf = NULL;
    ssize_t n;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
	dstr_sprintf(err, "open %s: %m", path);
	dstr_free(text);
	return (NULL);
    }
    do {
	n = read(fd, dstr_space(text, 8192), 8192);
	if (n > 0)
	    dstr_addlen(text, (size_t) n);
    } while (n > 0 || (n < 0 && errno == EINTR));
    if (n < 0)
	dstr_sprintf(err, "read %s: %m", path);
    else
	cf = mastercf_parse_text(dstr_str(text), dstr_len(text), path, err);
    (void) close(fd);
    dstr_free(text);
    return (cf);
}

/* mastercf_free - release a parsed master.cf */

void    mastercf_free(MASTERCF *cf)
{
    size_t  i;

    if (cf == NULL)
	return;
    for (i = 0; i < cf->count; i++)
	mastercf_entry_free(cf->entries + i);
    free(cf->entries);
    free(cf);
}
