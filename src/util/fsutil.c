/*
 * fsutil - file system helpers
 * DESCRIPTION
 *	Durability in posthorn rests on a few sequences (write everything,
 *	fsync the file, fsync the directory that names it); they live here
 *	once. Pid files are locked with flock(): a lock cannot go stale, so a
 *	SIGKILL'ed master never blocks the next start.
 * SECURITY
 *	These run as root (posthorn init, conf -e, master) in directories
 *	another account may write. So a file is created only under a name
 *	nobody can guess, exclusively (O_EXCL never follows a link); owner
 *	and mode are set on the open descriptor, never by name; a log file
 *	opened for appending must be a plain file with one link that root
 *	owns, as Postfix's safe_open() insists, and a pid file a plain file
 *	with one link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "mymalloc.h"

/* fs_write_all - complete write */

int     fs_write_all(int fd, const void *buf, size_t len)
{
    const char *cp = buf;
    ssize_t n;

    while (len > 0) {
	if ((n = write(fd, cp, len)) < 0) {
	    if (errno == EINTR)
		continue;
	    return (-1);
	}
	cp += n;
	len -= (size_t) n;
    }
    return (0);
}

/* fs_pwrite_all - complete positioned write */

int     fs_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
    const char *cp = buf;
    ssize_t n;

    while (len > 0) {
	if ((n = pwrite(fd, cp, len, off)) < 0) {
	    if (errno == EINTR)
		continue;
	    return (-1);
	}
	cp += n;
	off += n;
	len -= (size_t) n;
    }
    return (0);
}

/* fs_sync_dir - make directory entries durable */

int     fs_sync_dir(const char *path)
{
    int     fd;
    int     ret;
    int     saved;

    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	return (-1);
    ret = fsync(fd);
    saved = errno;
    close(fd);
    errno = saved;
    return (ret);
}

/* fs_absolute_cat - append path's components but "." and empty ones */

static void fs_absolute_cat(DSTR *out, const char *path)
{
    const char *cp = path;
    size_t  len;

    while (*cp) {
	len = strcspn(cp, "/");
	if (len > 0 && !(len == 1 && *cp == '.')) {
	    (void) dstr_catc(out, '/');
	    (void) dstr_cat(out, cp, len);
	}
	cp += len;
	cp += strspn(cp, "/");
    }
}

/* fs_absolute - a path made absolute against the current directory */

int     fs_absolute(const char *path, DSTR *out)
{
    char   *cwd = NULL;

    /* ".." stays: resolving it by name would be wrong past a symbolic link. */
    DSTR_RESET(out);
    if (*path != '/') {
	if ((cwd = getcwd(NULL, 0)) == NULL)
	    return (-1);
	fs_absolute_cat(out, cwd);
	free(cwd);
    }
    fs_absolute_cat(out, path);
    if (dstr_len(out) == 0)
	(void) dstr_catc(out, '/');
    return (0);
}

/* fs_read_file - slurp */

int     fs_read_file(const char *path, DSTR *buf, size_t limit)
{
    int     fd;
    ssize_t n;
    int     saved;

    DSTR_RESET(buf);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
	return (-1);
    for (;;) {
	n = read(fd, dstr_space(buf, 8192), 8192);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    break;
	dstr_addlen(buf, (size_t) n);
	if (limit && dstr_len(buf) > limit) {
	    n = -1;
	    errno = EFBIG;
	    break;
	}
    }
    saved = errno;
    close(fd);
    errno = saved;
    return (n < 0 ? -1 : 0);
}

/* fs_temp_open - a new file beside path, under a name nobody can guess */

int     fs_temp_open(const char *path, DSTR *tmp)
{
    /* mkostemp: O_CREAT|O_EXCL, which never follows a link, retried on EEXIST. */
    dstr_sprintf(tmp, "%s.XXXXXX", path);
    return (mkostemp(dstr_data(tmp), O_CLOEXEC | O_NOFOLLOW));
}

/* fs_dirname - the directory part of path */

void    fs_dirname(const char *path, DSTR *dir)
{
    const char *slash;

    if ((slash = strrchr(path, '/')) != NULL)
	dstr_memcpy(dir, path, slash == path ? 1 : (size_t) (slash - path));
    else
	dstr_strcpy(dir, ".");
}

/* fs_sync_parent - make the entry of path durable */

int     fs_sync_parent(const char *path)
{
    DSTR   *dir = dstr_new(strlen(path) + 2);
    int     ret;
    int     saved;

    fs_dirname(path, dir);
    ret = fs_sync_dir(dstr_str(dir));
    saved = errno;
    dstr_free(dir);
    errno = saved;
    return (ret);
}

/* fs_replace_file - atomic durable replacement */

int     fs_replace_file(const char *path, const void *buf, size_t len, mode_t mode)
{
    DSTR   *tmp = dstr_new(strlen(path) + 8);
    DSTR   *dir = dstr_new(strlen(path));
    int     fd;
    int     renamed = 0;
    int     ret = -1;
    int     saved;

    fs_dirname(path, dir);
    if ((fd = fs_temp_open(path, tmp)) >= 0) {
	if (fchmod(fd, mode) == 0 && fs_write_all(fd, buf, len) == 0
	    && fsync(fd) == 0) {
	    ret = close(fd);
	    fd = -1;
	    if (ret == 0 && (ret = rename(dstr_str(tmp), path)) == 0) {
		renamed = 1;
		ret = fs_sync_dir(dstr_str(dir));
	    }
	}
	saved = errno;
	if (fd >= 0)
	    (void) close(fd);
	if (!renamed)
	    (void) unlink(dstr_str(tmp));
	errno = saved;
    }
    saved = errno;
    dstr_free(tmp);
    dstr_free(dir);
    errno = saved;
    return (ret);
}

/* fs_open_dir - a directory itself, never what a symbolic link names */

static int fs_open_dir(const char *path)
{
    struct stat st;
    int     fd;

    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    /* Linux says ENOTDIR for a link when O_DIRECTORY is given: say what it is. */
    if (fd < 0 && errno == ENOTDIR && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
	errno = ELOOP;
    return (fd);
}

/* fs_dir_link_ok - a link to a directory that already is as asked */

static int fs_dir_link_ok(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)
	&& (st.st_mode & 0777) == (mode & 0777)
	&& (geteuid() != 0 || (st.st_uid == uid && st.st_gid == gid)))
	return (0);
    errno = ELOOP;
    return (-1);
}

/* fs_make_dir - mkdir -p style for one level, with owner and mode */

int     fs_make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    int     fd;
    int     ret = 0;
    int     saved;

    if (mkdir(path, mode) < 0 && errno != EEXIST)
	return (-1);
    if ((fd = fs_open_dir(path)) < 0)
	return (errno == ELOOP ? fs_dir_link_ok(path, mode, uid, gid) : -1);
    if ((geteuid() == 0 && fchown(fd, uid, gid) < 0) || fchmod(fd, mode) < 0)
	ret = -1;
    saved = errno;
    (void) close(fd);
    errno = saved;
    return (ret);
}

/* fs_make_parents - mkdir -p of everything above path */

int     fs_make_parents(const char *path, mode_t mode)
{
    char   *copy = mystrdup(path);
    char   *cp;
    int     ret = 0;

    /* Each '/' after the first character ends one ancestor. */
    for (cp = copy + 1; ret == 0 && (cp = strchr(cp, '/')) != 0; cp++) {
	*cp = 0;
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
	    ret = -1;
	*cp = '/';
    }
    myfree(copy);
    return (ret);
}

/* fs_copy_file - plain copy via a temp file */

int     fs_copy_file(const char *from, const char *to, mode_t mode)
{
    DSTR   *buf = dstr_new(4096);
    int     ret;

    if ((ret = fs_read_file(from, buf, 16 * 1024 * 1024)) == 0)
	ret = fs_replace_file(to, dstr_str(buf), dstr_len(buf), mode);
    dstr_free(buf);
    return (ret);
}

/* fs_plain_refuse - 0 if st is a plain file with one name, else -1 and errno */

static int fs_plain_refuse(const struct stat *st)
{
    if (S_ISLNK(st->st_mode))
	errno = ELOOP;
    else if (S_ISDIR(st->st_mode))
	errno = EISDIR;
    else if (!S_ISREG(st->st_mode))
	errno = EINVAL;				/* FIFO, socket, device */
    else if (st->st_nlink != 1)
	errno = EMLINK;				/* a link to someone else's file */
    else
	return (0);
    return (-1);
}

/* fs_append_refuse - 0 if st is a file fit to append to as this user, else -1 and errno */

static int fs_append_refuse(const struct stat *st)
{
    if (fs_plain_refuse(st) < 0)
	return (-1);
    if (geteuid() == 0 && st->st_uid != 0) {
	errno = EPERM;				/* its owner could swap its content */
	return (-1);
    }
    return (0);
}

/* fs_append_checked - keep fd if it is what we checked, else close it */

static int fs_append_checked(int fd)
{
    struct stat st;
    int     saved;

    if (fstat(fd, &st) == 0 && fs_append_refuse(&st) == 0
	&& fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) == 0)	/* clear O_NONBLOCK */
	return (fd);
    saved = errno;
    (void) close(fd);
    errno = saved;
    return (-1);
}

/* fs_open_append - open or create a log file without being led elsewhere */

int     fs_open_append(const char *path, mode_t mode)
{
    struct stat st;
    int     tries;
    int     fd;

    for (tries = 0; tries < 10; tries++) {
	if (lstat(path, &st) == 0) {
	    /* Refuse before open(): opening a device or FIFO can have effects. */
	    if (fs_append_refuse(&st) < 0)
		return (-1);
	    /* It may have been swapped since lstat(): fstat() decides. */
	    if ((fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK
			   | O_NOCTTY | O_CLOEXEC)) >= 0)
		return (fs_append_checked(fd));
	} else if (errno == ENOENT) {
	    if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW
			   | O_NOCTTY | O_CLOEXEC, mode)) >= 0)
		return (fd);
	    if (errno == EEXIST)
		continue;			/* created meanwhile: check it */
	}
	if (errno != ENOENT)
	    return (-1);
    }
    errno = EAGAIN;				/* it keeps coming and going */
    return (-1);
}

/* fs_pidfile_read - pid recorded in an open pid file */

static pid_t fs_pidfile_read(int fd)
{
    char    buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0)
	return (0);
    buf[n] = 0;
    return ((pid_t) atol(buf));
}

/* fs_pidfile_lock - take the lock or report the holder */

int     fs_pidfile_lock(const char *path, pid_t *holder)
{
    struct stat st;
    int     fd;
    int     saved;

    *holder = 0;

    /*
     * pid/ is root's, but may not always have been (an instance first run
     * unprivileged): a link left there would have root truncate its target.
     */
    if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644)) < 0)
	return (-1);
    if (fstat(fd, &st) == 0 && fs_plain_refuse(&st) == 0) {
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
	    return (fd);
	if (errno == EWOULDBLOCK)
	    *holder = fs_pidfile_read(fd);
    }
    saved = errno;
    close(fd);
    errno = saved;
    return (-1);
}

/* fs_pidfile_write - record our pid */

int     fs_pidfile_write(int fd, pid_t pid)
{
    char    buf[32];
    int     n = snprintf(buf, sizeof(buf), "%11ld\n", (long) pid);

    if (ftruncate(fd, 0) < 0)
	return (-1);
    return (fs_pwrite_all(fd, buf, (size_t) n, 0));
}

/* fs_pidfile_holder - is someone alive holding it? */

pid_t   fs_pidfile_holder(const char *path)
{
    pid_t   holder;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
	return (0);
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
	close(fd);
	return (0);
    }
    holder = errno == EWOULDBLOCK ? fs_pidfile_read(fd) : 0;
    close(fd);
    return (holder);
}
