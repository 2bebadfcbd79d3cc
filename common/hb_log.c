#include "hb_log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *log_program = "huibao";
static enum hb_log_level log_level = HB_LOG_INFO;

void hb_log_init(const char *program)
{
    log_program = program;
}

void hb_log_set_level(enum hb_log_level level)
{
    log_level = level;
}

enum hb_log_level hb_log_get_level(void)
{
    return log_level;
}

const char *hb_log_program(void)
{
    return log_program;
}

void hb_log(enum hb_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > log_level)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One fprintf per line keeps lines from concurrent stages whole. */
    fprintf(stderr, "%s: %s: %s\n", log_program, names[level], line);
}
