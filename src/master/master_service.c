/*
 * master_service - the services of master.cf and their listeners
 * DESCRIPTION
 *	Loading is two-phase, so a reload with a broken master.cf or a port
 *	that cannot be bound changes nothing: first every new service is
 *	described and every new listener opened; only when all of that
 *	worked are the changes committed. A service whose identity (type,
 *	name, socket location, listen addresses) did not change keeps its
 *	listening sockets, so clients see no refused connection during a
 *	reload. Every child is retired on reload (it exits after its
 *	current request) so every daemon runs the new configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "master.h"
#include "cfg_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "spool.h"

MASTER_SERV *master_services;

/* master_serv_key - what makes two services "the same" across a reload */

static char *master_serv_key(const MASTERCF_ENTRY *e)
{
    DSTR   *key = dstr_new(64);

    dstr_sprintf(key, "%s %s", e->type, e->name);
    if (strcmp(e->type, "inet") != 0)
	dstr_printf(key, " %s", e->private_ ? "private" : "public");
    else if (strchr(e->name, ':') == NULL)
	dstr_printf(key, " [%s] [%s]", var_inet_interfaces, var_inet_protocols);
    return (dstr_export(key));
}

/* master_serv_new - describe one master.cf entry */

static MASTER_SERV *master_serv_new(const MASTERCF_ENTRY *e, DSTR *err)
{
    MASTER_SERV *serv = mycalloc(1, sizeof(*serv));
    DSTR   *path = dstr_new(128);
    size_t  i;

    serv->key = master_serv_key(e);
    serv->name = mystrdup(e->name);
    serv->type = mystrdup(e->type);
    serv->private_ = e->private_;
    serv->unpriv = e->unpriv;
    serv->chroot = e->chroot;
    serv->wakeup = e->wakeup;
    serv->wakeup_if_used = e->wakeup_if_used;
    serv->maxproc = e->maxproc < 0 ? var_proc_limit : e->maxproc;
    serv->args = argv_new(e->args->argc);
    for (i = 0; i < e->args->argc; i++)
	argv_add(serv->args, e->args->argv[i]);
    if (strchr(e->args->argv[0], '/'))
	dstr_strcpy(path, e->args->argv[0]);
    else
	dstr_sprintf(path, "%s/%s", var_daemon_dir, e->args->argv[0]);
    serv->path = dstr_export(path);
    if (strcmp(e->type, "inet") != 0) {
	path = dstr_new(128);
	dstr_sprintf(path, "%s/%s/%s", var_queue_dir,
		     e->private_ ? SPOOL_PRIVATE : SPOOL_PUBLIC, e->name);
	serv->sock_path = dstr_export(path);
    }
    serv->status_rd = serv->status_wr = serv->alive_rd = serv->alive_wr = -1;
    serv->active = 1;
    if (access(serv->path, X_OK) < 0) {
	dstr_sprintf(err, "%s/master.cf, line %d: service %s: command %s: %m",
		     master_config_dir, e->line, e->name, serv->path);
	return (serv);
    }
    return (serv);
}

/* master_serv_free - release a service that has no listeners or children */

static void master_serv_free(MASTER_SERV *serv)
{
    free(serv->key);
    free(serv->name);
    free(serv->type);
    argv_free(serv->args);
    free(serv->path);
    free(serv->sock_path);
    free(serv->listen_fds);
    if (serv->status_rd >= 0) {
	evloop_forget(serv->status_rd);
	close(serv->status_rd);
	close(serv->status_wr);
    }
    if (serv->alive_wr >= 0) {
	close(serv->alive_rd);
	close(serv->alive_wr);
    }
    evloop_timer_cancel(&serv->throttle_timer);
    evloop_timer_cancel(&serv->wakeup_timer);
    free(serv);
}

/* master_serv_close_listeners - stop serving a socket */

static void master_serv_close_listeners(MASTER_SERV *serv)
{
    while (serv->nlisten > 0) {
	int     fd = serv->listen_fds[--serv->nlisten];

	evloop_forget(fd);
	close(fd);
    }
    serv->listening = 0;
}

/* master_pipe - a close-on-exec pipe */

static void master_pipe(int *rd, int *wr, int nonblock_rd)
{
    int     fds[2];

    if (pipe2(fds, O_CLOEXEC) < 0)
	msg_fatal("pipe: %m");
    if (nonblock_rd)
	(void) fcntl(fds[0], F_SETFL, O_NONBLOCK);
    *rd = fds[0];
    *wr = fds[1];
}

/* master_services_retire - start a new generation of children */

void    master_services_retire(MASTER_SERV *serv)
{
    MASTER_SERV *s;

    for (s = master_services; s; s = s->next) {
	if (serv && s != serv)
	    continue;
	if (s->alive_wr >= 0) {
	    close(s->alive_rd);
	    close(s->alive_wr);			/* children see end of file */
	    s->alive_rd = s->alive_wr = -1;
	}
	if (s->active)
	    master_pipe(&s->alive_rd, &s->alive_wr, 0);
	s->gen++;
	s->total = s->avail = 0;
	master_service_update(s);
    }
}

/* master_listen_event - work waits and nobody is idle: spawn */

static void master_listen_event(int fd, void *ctx)
{
    (void) fd;
    master_spawn((MASTER_SERV *) ctx);
}

/* master_drain_event - a throttled stream service: refuse what waits */

static void master_drain_event(int fd, void *ctx)
{
    int     conn;

    (void) ctx;
    /* Closing at once tells the client now (qmgr: transport unavailable)
     * instead of leaving it hanging in the backlog for the throttle time. */
    while ((conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
	close(conn);
}

/* master_service_update - watch listeners only when a child could be needed */

void    master_service_update(MASTER_SERV *serv)
{
    int     want = serv->active && !serv->throttled && !master_stopping
	&& serv->avail == 0 && (serv->maxproc == 0 || serv->total < serv->maxproc)
	? MASTER_LISTEN_SPAWN : MASTER_LISTEN_OFF;
    int     i;

    if (want == MASTER_LISTEN_OFF && serv->active && serv->throttled && !master_stopping
	&& strcmp(serv->type, "unix-dgram") != 0)
	want = MASTER_LISTEN_DRAIN;
    if (want == serv->listening)
	return;
    for (i = 0; i < serv->nlisten; i++) {
	if (want == MASTER_LISTEN_SPAWN)
	    evloop_read(serv->listen_fds[i], master_listen_event, serv);
	else if (want == MASTER_LISTEN_DRAIN)
	    evloop_read(serv->listen_fds[i], master_drain_event, serv);
	else
	    evloop_read_off(serv->listen_fds[i]);
    }
    serv->listening = want;
}

/* master_service_find - by name and type */

MASTER_SERV *master_service_find(const char *type, const char *name)
{
    MASTER_SERV *s;

    for (s = master_services; s; s = s->next)
	if (s->active && strcmp(s->type, type) == 0 && strcmp(s->name, name) == 0)
	    return (s);
    return (NULL);
}

/* master_find_key - an active service by identity */

static MASTER_SERV *master_find_key(const char *key)
{
    MASTER_SERV *s;

    for (s = master_services; s; s = s->next)
	if (s->active && strcmp(s->key, key) == 0)
	    return (s);
    return (NULL);
}

/* master_adopt - copy new settings into a service that keeps its sockets */

static void master_adopt(MASTER_SERV *old, MASTER_SERV *spec)
{
    ARGV   *av = old->args;
    char   *path = old->path;

    old->private_ = spec->private_;
    old->unpriv = spec->unpriv;
    old->chroot = spec->chroot;
    old->wakeup = spec->wakeup;
    old->wakeup_if_used = spec->wakeup_if_used;
    old->maxproc = spec->maxproc;
    old->args = spec->args;
    old->path = spec->path;
    spec->args = av;
    spec->path = path;
    old->throttled = 0;
    evloop_timer_cancel(&old->throttle_timer);
}

/* master_services_load - apply master.cf */

int     master_services_load(const MASTERCF *cf, DSTR *err)
{
    MASTER_SERV **specs = mycalloc(cf->count + 1, sizeof(*specs));
    MASTER_SERV **match = mycalloc(cf->count + 1, sizeof(*match));
    MASTER_SERV *s;
    size_t  i;
    int     failed = 0;
    int     saved_errno;

    DSTR_RESET(err);
    for (i = 0; i < cf->count && !failed; i++) {
	specs[i] = master_serv_new(cf->entries + i, err);
	if (dstr_len(err) > 0) {
	    failed = 1;
	    errno = 0;				/* no address was taken */
	    break;
	}
	if ((match[i] = master_find_key(specs[i]->key)) != NULL)
	    continue;
	if (strcmp(specs[i]->type, "inet") == 0)
	    failed = master_listen_inet(specs[i], err) < 0;
	else
	    failed = master_listen_unix(specs[i], err) < 0;
    }
    if (failed) {
	saved_errno = errno;
	for (i = 0; i < cf->count; i++) {
	    if (specs[i] == NULL)
		continue;
	    master_serv_close_listeners(specs[i]);
	    master_serv_free(specs[i]);
	}
	free(specs);
	free(match);
	errno = saved_errno;
	return (-1);
    }
    /* Commit. Services that left master.cf stop listening and wind down. */
    for (s = master_services; s; s = s->next) {
	for (i = 0; i < cf->count && match[i] != s; i++)
	     /* void */ ;
	if (i == cf->count && s->active) {
	    s->active = 0;
	    master_serv_close_listeners(s);
	    evloop_timer_cancel(&s->wakeup_timer);
	}
    }
    for (i = 0; i < cf->count; i++) {
	if (match[i]) {
	    master_adopt(match[i], specs[i]);
	    master_serv_free(specs[i]);
	    s = match[i];
	} else {
	    s = specs[i];
	    master_pipe(&s->status_rd, &s->status_wr, 1);
	    evloop_read(s->status_rd, master_status_event, s);
	    s->next = master_services;
	    master_services = s;
	}
	if (s->wakeup > 0)
	    master_wakeup_arm(s, 0);
	else
	    evloop_timer_cancel(&s->wakeup_timer);
    }
    free(specs);
    free(match);
    master_services_retire(NULL);
    master_services_gc();
    return (0);
}

/* master_services_gc - drop services that are gone and have no children */

void    master_services_gc(void)
{
    MASTER_SERV **sp = &master_services;
    MASTER_SERV *s;

    while ((s = *sp) != NULL) {
	if (!s->active && master_proc_count(s) == 0) {
	    *sp = s->next;
	    master_serv_free(s);
	} else {
	    sp = &s->next;
	}
    }
}
