/*
 * RFC 9218 priority field values as a PRIORITY_UPDATE frame carries them:
 * u and i, their defaults, out-of-range and mistyped values, every other
 * Structured Field a dictionary may hold (skipped), and what is not a
 * dictionary (RFC 8941 §4.2).
 */
#include "edge/priority.h"
#include "tests/kt.h"

#include <string.h>

/* The parse of v: "u,i" as "3,0", or "bad" when it is not a dictionary. */
static const char *
pri(const char *v)
{
    static char out[16];
    struct ke_priority p = { 99, true };
    if (ke_priority_parse(v, strlen(v), &p) != 0) {
        KT_CHECK(p.urgency == KE_PRIORITY_URGENCY_DEFAULT && !p.incremental);
        return "bad";
    }
    snprintf(out, sizeof out, "%u,%d", p.urgency, p.incremental);
    return out;
}

static void
t_defaults(void)
{
    KT_EQ_STR(pri(""), "3,0");
    KT_EQ_STR(pri("   "), "3,0");
    KT_EQ_STR(pri("x=1"), "3,0");
}

static void
t_urgency_and_incremental(void)
{
    KT_EQ_STR(pri("u=0"), "0,0");
    KT_EQ_STR(pri("u=7, i"), "7,1");
    KT_EQ_STR(pri("i, u=5"), "5,1");
    KT_EQ_STR(pri("i=?1"), "3,1");
    KT_EQ_STR(pri("i=?0"), "3,0");
    KT_EQ_STR(pri("u=1,\ti"), "1,1");
    KT_EQ_STR(pri(" u=2 "), "2,0");
}

static void
t_out_of_range_or_mistyped_is_default(void)
{
    KT_EQ_STR(pri("u=8"), "3,0");
    KT_EQ_STR(pri("u=-1"), "3,0");
    KT_EQ_STR(pri("u=1.5"), "3,0");
    KT_EQ_STR(pri("u=\"1\""), "3,0");
    KT_EQ_STR(pri("u=?1"), "3,0");
    KT_EQ_STR(pri("u=(1 2)"), "3,0");
    KT_EQ_STR(pri("i=1"), "3,0");
    KT_EQ_STR(pri("i=tok"), "3,0");
    KT_EQ_STR(pri("u"), "3,0");
}

static void
t_last_of_a_key_counts(void)
{
    KT_EQ_STR(pri("u=1, u=4"), "4,0");
    KT_EQ_STR(pri("u=1, u=9"), "3,0");
    KT_EQ_STR(pri("i, i=?0"), "3,0");
}

static void
t_other_members_and_parameters_are_skipped(void)
{
    KT_EQ_STR(pri("u=2;a=1;b, i;c=\"x\""), "2,1");
    KT_EQ_STR(pri("a=\"s \\\" \\\\ t\", u=1"), "1,0");
    KT_EQ_STR(pri("a=:aGk=:, b=*tok/x:y, c=-12.345, d=(1 \"two\" three);p, u=6"), "6,0");
    KT_EQ_STR(pri("a=(), b=( 1 2 ), u=0"), "0,0");
    KT_EQ_STR(pri("*k=?1, k.9_-*=1, u=4"), "4,0");
    KT_EQ_STR(pri("a=123456789012345, u=1"), "1,0");
    KT_EQ_STR(pri("a=123456789012.123, u=1"), "1,0");
}

static void
t_not_a_dictionary(void)
{
    const char *bad[] = {
        "U=1",                /* keys are lower case */
        "1=u",                /* nor start with a digit */
        "u=",                 /* no item */
        "u=1,",               /* a trailing comma */
        ",u=1",               /* a leading one */
        "u=1 i",              /* no comma */
        "u=1;",               /* a parameter without a key */
        "a=\"x",              /* an open string */
        "a=\"\\x\"",          /* an escape of neither \" nor \\ */
        "a=\"\x01\"",         /* a control character */
        "a=:aGk=",            /* an open byte sequence */
        "a=(1 2",             /* an open inner list */
        "a=(1,2)",            /* no comma inside */
        "a=?2",               /* a boolean of neither 0 nor 1 */
        "a=1234567890123456", /* 16 integer digits */
        "a=1234567890123.1",  /* 13 before the point */
        "a=1.2345",           /* 4 after it */
        "a=1.",               /* none */
        "a=-",                /* a sign alone */
        "a=#x",               /* no such item */
        "u=1\n",              /* a line break */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (strcmp(pri(bad[i]), "bad") != 0)
            KT_FAIL_("%s parsed as %s", bad[i], pri(bad[i]));
    }
}

static void
t_length_bounded(void)
{
    struct ke_priority p;
    KT_EQ_INT(ke_priority_parse("u=1, i", 3, &p), 0);
    KT_CHECK(p.urgency == 1 && !p.incremental);
    KT_EQ_INT(ke_priority_parse("u=1,", 3, &p), 0);
    KT_CHECK(p.urgency == 1);
    KT_EQ_INT(ke_priority_parse(NULL, 0, &p), 0);
}

int
main(void)
{
    KT_RUN(t_defaults, "what a value does not say is u=3, not incremental");
    KT_RUN(t_urgency_and_incremental, "u 0-7 and i as a key or ?1/?0, with OWS around members");
    KT_RUN(t_out_of_range_or_mistyped_is_default, "a u outside 0-7 or not an integer, an i not a "
                                                  "boolean, keep the default");
    KT_RUN(t_last_of_a_key_counts, "a key given twice counts once, the last");
    KT_RUN(t_other_members_and_parameters_are_skipped,
           "strings, tokens, byte sequences, decimals, inner lists and parameters are skipped");
    KT_RUN(t_not_a_dictionary, "what is not a dictionary is -1, and the defaults");
    KT_RUN(t_length_bounded, "no byte past n is read");
    return kt_done();
}
