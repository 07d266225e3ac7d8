/* Leveled stderr logging; the level and program name are process-wide and set
 * once at startup, before any thread is started. */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *log_prog = "kiln";
static enum kc_log_level log_lvl = KC_LOG_WARN;

void
kc_log_init(const char *prog, enum kc_log_level level)
{
    log_prog = prog;
    log_lvl = level;
}

enum kc_log_level
kc_log_level(void)
{
    return log_lvl;
}

void
kc_log(enum kc_log_level level, const char *fmt, ...)
{
    static const char *names[] = { "error", "warning", "info", "debug" };
    if (level > log_lvl || level < KC_LOG_ERROR)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One fprintf per message keeps lines from different threads whole. */
    fprintf(stderr, "%s: %s: %s\n", log_prog, names[level], line);
}
