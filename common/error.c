/* kc_strerror: the message list generated from KC_ERRNO_MAP. */
#include "common/error.h"

const char *
kc_strerror(int err)
{
    switch (err) {
    case KC_OK: return "success";
#define KC_ERR_CASE(name, msg)                                                                     \
    case KC_E##name: return msg;
        KC_ERRNO_MAP(KC_ERR_CASE)
#undef KC_ERR_CASE
    default: return "unknown error";
    }
}
