/*
 * cfg_edit - change main.cf settings in place, as postconf -e does
 * DESCRIPTION
 *	The last logical line that sets a name is replaced by "name = value"
 *	where it stands (its continuation lines go; comment and blank lines
 *	among them stay); names the file does not set are appended. Every
 *	other byte of the file is kept, so the admin's comments, layout and
 *	earlier (overridden) settings survive. The new file is written next
 *	to the old one, synced and renamed over it (fs_replace_file), so a
 *	crash leaves either the old file or the new one, never half of each.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "mymalloc.h"
#include "msg.h"
#include "cfg.h"
#include "cfg_int.h"

#define CFG_EDIT_BLANK		0	/* empty or white space only */
#define CFG_EDIT_COMMENT	1	/* first non-blank is '#' */
#define CFG_EDIT_CONT		2	/* starts with white space: continuation */
#define CFG_EDIT_PARAM		3	/* starts a logical line */

 /*
  * The requested settings; a name given twice keeps its last value.
  */
typedef struct CFG_EDIT {
    ARGV   *names;
    ARGV   *values;
    int    *last_line;			/* where the file sets it last; 0: not */
} CFG_EDIT;

/* cfg_edit_free - release the request list */

static void cfg_edit_free(CFG_EDIT *ed)
{
    argv_free(ed->names);
    argv_free(ed->values);
    free(ed->last_line);
    free(ed);
}

/* cfg_edit_index - position of name in the request list, or -1 */

static ssize_t cfg_edit_index(const CFG_EDIT *ed, const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < ed->names->argc; i++)
	if (strncmp(ed->names->argv[i], name, len) == 0
	    && ed->names->argv[i][len] == 0)
	    return ((ssize_t) i);
    return (-1);
}

/* cfg_edit_parse - "name=value" list to a request list; NULL and err */

static CFG_EDIT *cfg_edit_parse(char **name_eq_values, DSTR *err)
{
    CFG_EDIT *ed = mycalloc(1, sizeof(*ed));
    char   *name;
    char   *value;
    ssize_t idx;

    ed->names = argv_new(8);
    ed->values = argv_new(8);
    for (; *name_eq_values; name_eq_values++) {
	if (cfg_split_nameval(*name_eq_values, *name_eq_values,
			      &name, &value, err) < 0) {
	    cfg_edit_free(ed);
	    return (NULL);
	}
	if (*name == '#' || strpbrk(value, "\r\n") != NULL) {
	    dstr_sprintf(err, "%s: %s", *name_eq_values, *name == '#' ?
			 "bad parameter name" : "line break in value");
	    free(name);
	    free(value);
	    cfg_edit_free(ed);
	    return (NULL);
	}
	if ((idx = cfg_edit_index(ed, name, strlen(name))) >= 0) {
	    free(ed->values->argv[idx]);
	    ed->values->argv[idx] = value;
	} else {
	    argv_add(ed->names, name);
	    argv_add(ed->values, value);
	    free(value);
	}
	free(name);
    }
    ed->last_line = mycalloc(ed->names->argc + 1, sizeof(int));
    return (ed);
}

/* cfg_edit_kind - classify one physical line; PARAM also gives its name */

static int cfg_edit_kind(const char *line, size_t len, size_t *nlen)
{
    size_t  i;

    for (i = 0; i < len && isspace((unsigned char) line[i]); i++)
	 /* void */ ;
    if (i == len)
	return (CFG_EDIT_BLANK);
    if (line[i] == '#')
	return (CFG_EDIT_COMMENT);
    if (i > 0)
	return (CFG_EDIT_CONT);
    for (*nlen = 0; *nlen < len && line[*nlen] != '='
	 && !isspace((unsigned char) line[*nlen]); (*nlen)++)
	 /* void */ ;
    return (CFG_EDIT_PARAM);
}

/* cfg_edit_next - next physical line, newline included; 0 at the end */

static int cfg_edit_next(const DSTR *text, size_t *off, const char **line,
			         size_t *len)
{
    const char *start = dstr_str(text) + *off;
    const char *nl;

    if (*off >= dstr_len(text))
	return (0);
    nl = memchr(start, '\n', dstr_len(text) - *off);
    *len = nl ? (size_t) (nl - start) + 1 : dstr_len(text) - *off;
    *line = start;
    *off += *len;
    return (1);
}

/* cfg_edit_find - where the file sets each requested name last */

static void cfg_edit_find(CFG_EDIT *ed, const DSTR *text)
{
    const char *line;
    size_t  len;
    size_t  nlen;
    size_t  off = 0;
    ssize_t idx;
    int     lineno = 0;

    while (cfg_edit_next(text, &off, &line, &len)) {
	lineno++;
	if (cfg_edit_kind(line, len, &nlen) == CFG_EDIT_PARAM
	    && (idx = cfg_edit_index(ed, line, nlen)) >= 0)
	    ed->last_line[idx] = lineno;
    }
}

/* cfg_edit_apply - the new file text */

static void cfg_edit_apply(const CFG_EDIT *ed, const DSTR *text, DSTR *out)
{
    const char *line;
    size_t  len;
    size_t  nlen;
    size_t  off = 0;
    size_t  i;
    ssize_t idx;
    int     lineno = 0;
    int     kind;
    int     dropping = 0;		/* inside a replaced logical line */

    while (cfg_edit_next(text, &off, &line, &len)) {
	lineno++;
	kind = cfg_edit_kind(line, len, &nlen);
	if (kind == CFG_EDIT_PARAM) {
	    dropping = 0;
	    if ((idx = cfg_edit_index(ed, line, nlen)) >= 0
		&& ed->last_line[idx] == lineno) {
		dstr_printf(out, "%s = %s\n", ed->names->argv[idx],
			    ed->values->argv[idx]);
		dropping = 1;
		continue;
	    }
	} else if (kind == CFG_EDIT_CONT && dropping) {
	    continue;
	}
	dstr_cat(out, line, len);
    }
    for (i = 0; i < ed->names->argc; i++) {
	if (ed->last_line[i])
	    continue;
	if (dstr_len(out) > 0 && dstr_str(out)[dstr_len(out) - 1] != '\n')
	    dstr_catc(out, '\n');
	dstr_printf(out, "%s = %s\n", ed->names->argv[i], ed->values->argv[i]);
    }
}

/* cfg_edit - edit DIR/main.cf */

int     cfg_edit(const char *config_dir, char **name_eq_values, DSTR *err)
{
    CFG_EDIT *ed;
    DSTR   *path = dstr_new(100);
    DSTR   *text = dstr_new(4096);
    DSTR   *out = dstr_new(4096);
    struct stat st;
    int     ret = -1;

    cfg_join(path, config_dir, "main.cf");
    if ((ed = cfg_edit_parse(name_eq_values, err)) != NULL
	&& cfg_read_file(dstr_str(path), text, err) == 0) {
	if (stat(dstr_str(path), &st) < 0)
	    st.st_mode = 0644;
	cfg_edit_find(ed, text);
	cfg_edit_apply(ed, text, out);
	if ((ret = fs_replace_file(dstr_str(path), dstr_str(out), dstr_len(out),
				   st.st_mode & 07777)) < 0)
	    dstr_sprintf(err, "replace %s: %m", dstr_str(path));
    }
    if (ed)
	cfg_edit_free(ed);
    dstr_free(path);
    dstr_free(text);
    dstr_free(out);
    return (ret);
}
