/*
 * Minimal leveled logging to stderr, shared by both programs. Messages are
 * one line each, prefixed with the program name and the level, so CI logs and
 * editors can pick out "file:line: reason".
 */
#ifndef KC_LOG_H
#define KC_LOG_H

enum kc_log_level { KC_LOG_QUIET = -1, KC_LOG_ERROR = 0, KC_LOG_WARN, KC_LOG_INFO, KC_LOG_DEBUG };

void kc_log_init(const char *prog, enum kc_log_level level);
enum kc_log_level kc_log_level(void);
void kc_log(enum kc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define kc_error(...) kc_log(KC_LOG_ERROR, __VA_ARGS__)
#define kc_warn(...)  kc_log(KC_LOG_WARN, __VA_ARGS__)
#define kc_info(...)  kc_log(KC_LOG_INFO, __VA_ARGS__)
#define kc_debug(...) kc_log(KC_LOG_DEBUG, __VA_ARGS__)

#endif
