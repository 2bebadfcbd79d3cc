/* hb_log: one line per event on stderr, naming the program that speaks.
 *
 *   huibao-read: error: reports/a.txt: cannot open: Permission denied
 *
 * hb_log_init() sets the program name once per process; the level filters
 * what is printed (HB_LOG_INFO by default, --quiet / --verbose change it). */
#ifndef HB_LOG_H
#define HB_LOG_H

enum hb_log_level { HB_LOG_ERROR, HB_LOG_WARN, HB_LOG_INFO, HB_LOG_DEBUG };

void hb_log_init(const char *program);
void hb_log_set_level(enum hb_log_level level);
enum hb_log_level hb_log_get_level(void);
const char *hb_log_program(void);
void hb_log(enum hb_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define hb_error(...) hb_log(HB_LOG_ERROR, __VA_ARGS__)
#define hb_warn(...) hb_log(HB_LOG_WARN, __VA_ARGS__)
#define hb_info(...) hb_log(HB_LOG_INFO, __VA_ARGS__)
#define hb_debug(...) hb_log(HB_LOG_DEBUG, __VA_ARGS__)

#endif
