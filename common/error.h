/*
 * kiln error codes: the one list below, named by kc_strerror(). A fallible
 * function returns 0 or a negative code from it unless its declaration says
 * otherwise, which two kinds do: parsers of untrusted bytes whose only
 * failure is "rejected" (HTTP dates, Range, request heads and targets,
 * Accept-Encoding) return -1 or their own negative sentinels, and the edge's
 * setup steps (configuration, cache rules, the release index, TLS) return -1
 * with the reason written into the caller's buffer (ke_fail, edge/fail.h).
 * An HTTP outcome (404, 416) is not a C error. The X-macro keeps the enum
 * and the messages in step.
 */
#ifndef KC_ERROR_H
#define KC_ERROR_H

#define KC_ERRNO_MAP(X)                                                                            \
    X(NOMEM, "out of memory")                                                                      \
    X(IO, "input/output error")                                                                    \
    X(NOENT, "no such file or directory")                                                          \
    X(INVAL, "invalid argument")                                                                   \
    X(TOOBIG, "input too large")                                                                   \
    X(PARSE, "malformed input")                                                                    \
    X(ESCAPE, "path escapes the source directory")                                                 \
    X(CLASH, "two files would get the same name")                                                  \
    X(MISSING, "missing referenced file")                                                          \
    X(CODEC, "compressor failed")                                                                  \
    X(JSON, "invalid JSON")                                                                        \
    X(INTR, "interrupted")                                                                         \
    X(UNSUP, "not supported yet")

enum {
    KC_OK = 0,
#define KC_ERR_ENUM(name, msg) KC_E##name,
    KC_ERR_FIRST_ = -100,
    KC_ERRNO_MAP(KC_ERR_ENUM)
#undef KC_ERR_ENUM
};

/* A static string; never NULL, also for unknown codes. */
const char *kc_strerror(int err);

#endif
