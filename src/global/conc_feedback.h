/* conc_feedback - destination concurrency feedback values of main.cf */
#ifndef CONC_FEEDBACK_H
#define CONC_FEEDBACK_H
#include "dstr.h"

/*
 * "1", "0.7", "a/b" (a value in [0, 1]) or "x/concurrency" (x divided by
 * the window at the time, per_window 1): 0 and the value, or -1 for
 * anything else (value and per_window are then left alone).
 */
extern int conc_feedback_parse(const char *text, double *value, int *per_window);

#endif
