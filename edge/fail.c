/* ke_fail: a refusal's reason into the caller's buffer; see fail.h. */
#include "edge/fail.h"

#include <stdarg.h>
#include <stdio.h>

int
ke_fail(char *why, size_t whysz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whysz, fmt, ap);
    va_end(ap);
    return -1;
}
