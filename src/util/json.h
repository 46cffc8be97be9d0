/* json - just enough JSON output for machine-readable listings */
#ifndef JSON_H
#define JSON_H
#include "dstr.h"

/* Append str as a quoted JSON string (control bytes escaped, other bytes as is). */
extern void json_str(DSTR *out, const char *str);

#endif
