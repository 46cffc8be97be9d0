/* cfg_check - value checks for main.cf parameters with a syntax of their own */
#ifndef CFG_CHECK_H
#define CFG_CHECK_H
#include "dstr.h"

/*
 * Each returns 0 when value (already $name-expanded) is acceptable, or -1
 * with a one-line reason in why; cfg puts file, line and parameter name
 * in front of it.
 */
extern int cfg_check_inet_protocols(const char *value, DSTR *why);
extern int cfg_check_tls_level(const char *value, DSTR *why);
extern int cfg_check_tls_protocols(const char *value, DSTR *why);
extern int cfg_check_tls_grade(const char *value, DSTR *why);
extern int cfg_check_tls_exclude(const char *value, DSTR *why);
extern int cfg_check_tls_match(const char *value, DSTR *why);
extern int cfg_check_tls_servername(const char *value, DSTR *why);
extern int cfg_check_sasl_secopts(const char *value, DSTR *why);
extern int cfg_check_sasl_type(const char *value, DSTR *why);
extern int cfg_check_feedback(const char *value, DSTR *why);
extern int cfg_check_dkim_canon(const char *value, DSTR *why);
extern int cfg_check_dkim_headers(const char *value, DSTR *why);

#endif
