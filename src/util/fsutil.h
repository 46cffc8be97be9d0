/* fsutil - file helpers: whole writes, durable and link-safe replacement, safe log opens, pid files */
#ifndef FSUTIL_H
#define FSUTIL_H
#include <stddef.h>
#include <sys/types.h>
#include "dstr.h"

/* Write all of buf (retrying short writes and EINTR); 0 or -1 with errno. */
extern int fs_write_all(int fd, const void *buf, size_t len);
/* Same at an offset (pwrite). */
extern int fs_pwrite_all(int fd, const void *buf, size_t len, off_t off);
/* fsync the directory at path, so entries created or renamed in it are durable. */
extern int fs_sync_dir(const char *path);
/* The directory part of path into dir ("." when none, "/" for "/x"). */
extern void fs_dirname(const char *path, DSTR *dir);
/* fs_sync_dir() of the directory path is in, after creating or renaming it. */
extern int fs_sync_parent(const char *path);
/* path as an absolute name into out: the current directory prefixed to a
 * relative one, "." components and extra slashes dropped (".." kept: no
 * link is resolved); -1 with errno if getcwd fails. */
extern int fs_absolute(const char *path, DSTR *out);
/* Read a whole file into buf (replacing it), refusing files over limit bytes (0: none). */
extern int fs_read_file(const char *path, DSTR *buf, size_t limit);
/*
 * Create a new file "path.XXXXXX" (random suffix) beside path, mode 0600
 * (less under a stricter umask), exclusively: never through a link or over
 * an existing name. The name goes to tmp; returns the descriptor (read-write,
 * close-on-exec), or -1 with errno.
 */
extern int fs_temp_open(const char *path, DSTR *tmp);
/*
 * Replace path with content atomically and durably, mode as given (temp file
 * from fs_temp_open, fsync, rename, dir fsync). -1 with errno; no temp file left.
 */
extern int fs_replace_file(const char *path, const void *buf, size_t len, mode_t mode);
/*
 * Create a directory (no error if it exists) and set owner (as root) and mode,
 * never through a symbolic link: a link to a directory that already has them
 * is accepted as it is; any other link fails with ELOOP. -1 with errno.
 */
extern int fs_make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid);
/* Create the missing directories above path (not path itself), as mkdir -p; -1 and errno. */
extern int fs_make_parents(const char *path, mode_t mode);
/* Copy a file (for /etc files into a chroot); -1 with errno. */
extern int fs_copy_file(const char *from, const char *to, mode_t mode);
/*
 * Open a log file for appending, creating it with mode if missing, as root
 * may do in a directory others can write: refuses a symbolic link (ELOOP),
 * a directory (EISDIR), any other non-regular file (EINVAL), a file with
 * more than one hard link (EMLINK) and, as root, a file root does not own
 * (EPERM). Returns the descriptor (close-on-exec), or -1 with errno.
 */
extern int fs_open_append(const char *path, mode_t mode);

/*
 * Open and lock a pid file without blocking. Returns the descriptor (keep
 * it open: the lock is the proof of life and dies with the process), or -1:
 * *holder is then the pid read from a file locked by a live process (0 when
 * the failure was something else; errno says what: ELOOP, EINVAL or EMLINK
 * for a link, a non-regular file or a hard-linked one, refused as such).
 */
extern int fs_pidfile_lock(const char *path, pid_t *holder);
/* Record our pid in a locked pid file. */
extern int fs_pidfile_write(int fd, pid_t pid);
/* Pid of the live process holding the pid file lock, or 0. */
extern pid_t fs_pidfile_holder(const char *path);

#endif
