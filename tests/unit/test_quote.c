/*
 * common/quote.h: kc_quote_js writes one double-quoted literal, escapes
 * quotes, backslashes and control bytes always, </script>-breaking bytes
 * with KC_QUOTE_HTML, U+2028/2029 with KC_QUOTE_LINESEP, copies everything
 * else, and stops at the buffer's maximum.
 */
#include "common/buf.h"
#include "common/error.h"
#include "common/quote.h"
#include "tests/kt.h"

static char got[512];

/* s[0..n) quoted with flags, as a C string in got. */
static const char *
quote(const char *s, size_t n, unsigned flags)
{
    struct kc_buf b;
    kc_buf_init(&b, sizeof got - 1);
    int rc = kc_quote_js(&b, s, n, flags);
    snprintf(got, sizeof got, "%s", rc ? "(error)" : b.data);
    kc_buf_free(&b);
    return got;
}

#define Q(lit, flags) quote(lit, sizeof lit - 1, flags)

static void
t_plain_text_is_copied(void)
{
    KT_EQ_STR(Q("", 0), "\"\"");
    KT_EQ_STR(quote(NULL, 0, 0), "\"\"");
    KT_EQ_STR(Q("./a/b.js", 0), "\"./a/b.js\"");
    KT_EQ_STR(Q("sha384-AbC+/=", KC_QUOTE_HTML), "\"sha384-AbC+/=\"");
    /* UTF-8 passes through untouched, and so does DEL. */
    KT_EQ_STR(Q("caf\xc3\xa9\x7f", KC_QUOTE_HTML | KC_QUOTE_LINESEP), "\"caf\xc3\xa9\x7f\"");
}

static void
t_quotes_and_backslashes(void)
{
    KT_EQ_STR(Q("a\"b\\c", 0), "\"a\\\"b\\\\c\"");
    KT_EQ_STR(Q("\"\\", KC_QUOTE_HTML), "\"\\\"\\\\\"");
    KT_EQ_STR(Q("it's", 0), "\"it's\""); /* a single quote needs nothing */
}

static void
t_control_bytes(void)
{
    KT_EQ_STR(Q("a\nb\tc\r", 0), "\"a\\u000ab\\u0009c\\u000d\"");
    KT_EQ_STR(Q("\x1f", 0), "\"\\u001f\"");
    /* n counts: a NUL inside the input is escaped, not an end. */
    KT_EQ_STR(Q("a\0b", 0), "\"a\\u0000b\"");
}

static void
t_html_flag_keeps_script_closed(void)
{
    KT_EQ_STR(Q("</script><!--&>", KC_QUOTE_HTML),
              "\"\\u003c/script\\u003e\\u003c!--\\u0026\\u003e\"");
    KT_EQ_STR(Q("</script>", 0), "\"</script>\"");
}

static void
t_linesep_flag(void)
{
    KT_EQ_STR(Q("a\xe2\x80\xa8z\xe2\x80\xa9", KC_QUOTE_LINESEP), "\"a\\u2028z\\u2029\"");
    KT_EQ_STR(Q("a\xe2\x80\xa8", 0), "\"a\xe2\x80\xa8\"");
    /* Neighbours of the two code points, and a sequence cut short at the
     * end of the input, stay as they are. */
    KT_EQ_STR(Q("\xe2\x80\xa7\xe2\x80\xaa", KC_QUOTE_LINESEP), "\"\xe2\x80\xa7\xe2\x80\xaa\"");
    KT_EQ_STR(Q("\xe2\x80", KC_QUOTE_LINESEP), "\"\xe2\x80\"");
    KT_EQ_STR(quote("\xe2\x80\xa8", 2, KC_QUOTE_LINESEP), "\"\xe2\x80\"");
}

static void
t_buffer_maximum(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 8);
    KT_EQ_INT(kc_quote_js(&b, "123456", 6, 0), 0); /* 8 bytes with the quotes */
    KT_EQ_STR(b.data, "\"123456\"");
    kc_buf_reset(&b);
    KT_EQ_INT(kc_quote_js(&b, "1234567", 7, 0), KC_ETOOBIG);
    kc_buf_reset(&b);
    KT_EQ_INT(kc_quote_js(&b, "<", 1, KC_QUOTE_HTML), 0); /* "\u003c": 8 bytes */
    kc_buf_reset(&b);
    KT_EQ_INT(kc_quote_js(&b, "a<", 2, KC_QUOTE_HTML), KC_ETOOBIG);
    kc_buf_free(&b);
}

int
main(void)
{
    KT_RUN(t_plain_text_is_copied, "text that needs no escape is copied between quotes");
    KT_RUN(t_quotes_and_backslashes, "double quotes and backslashes get a backslash");
    KT_RUN(t_control_bytes, "bytes below 0x20, NUL included, become \\u00XX");
    KT_RUN(t_html_flag_keeps_script_closed,
           "KC_QUOTE_HTML escapes < > & so </script> cannot close");
    KT_RUN(t_linesep_flag, "KC_QUOTE_LINESEP escapes exactly U+2028 and U+2029");
    KT_RUN(t_buffer_maximum, "a literal past the buffer's maximum is KC_ETOOBIG");
    return kt_done();
}
