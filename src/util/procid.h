/* procid - this process's id without a system call each time */
#ifndef PROCID_H
#define PROCID_H

#include <sys/types.h>

/* getpid(), remembered: right in a child made with fork(2) too. */
extern pid_t procid_self(void);

#endif
