/*
 * HTTP-date: IMF-fixdate output checked against gmtime_r, the three input
 * forms, the RFC 850 two-digit year window, and rejection of bad fields.
 */
#include "common/httpdate.h"
#include "tests/kt.h"

#include <string.h>
#include <time.h>

#define NOW 1795651200LL /* 2026-11-26T00:00:00Z */

static int64_t T;

static int
parse(const char *s)
{
    T = 0x7eadbeef;
    return kc_httpdate_parse_at(s, strlen(s), NOW, &T);
}

static void
t_format_rfc_example(void)
{
    char out[KC_HTTPDATE_LEN + 1];
    KT_EQ_INT(kc_httpdate_format(784111777, out), 29);
    KT_EQ_STR(out, "Sun, 06 Nov 1994 08:49:37 GMT");
}

static void
t_format_epoch(void)
{
    char out[KC_HTTPDATE_LEN + 1];
    kc_httpdate_format(0, out);
    KT_EQ_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    kc_httpdate_format(-1, out);
    KT_EQ_STR(out, "Wed, 31 Dec 1969 23:59:59 GMT");
}

static void
t_format_leap_day(void)
{
    char out[KC_HTTPDATE_LEN + 1];
    kc_httpdate_format(951825600, out);
    KT_EQ_STR(out, "Tue, 29 Feb 2000 12:00:00 GMT");
}

static void
t_format_clamps(void)
{
    char out[KC_HTTPDATE_LEN + 1];
    kc_httpdate_format(INT64_MAX, out);
    KT_EQ_STR(out, "Fri, 31 Dec 9999 23:59:59 GMT");
    kc_httpdate_format(INT64_MIN, out);
    KT_EQ_STR(out, "Mon, 01 Jan 0001 00:00:00 GMT");
}

static void
t_format_matches_gmtime(void)
{
    static const char wd[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char mo[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    char out[KC_HTTPDATE_LEN + 1], want[64];
    /* A stride prime to 86400 visits every time of day and many dates. */
    for (int64_t t = -2208988800LL; t < 4102444800LL; t += 7777777) {
        time_t tt = (time_t)t;
        struct tm tm;
        KT_CHECK(gmtime_r(&tt, &tm) != NULL);
        snprintf(want, sizeof want, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday],
                 tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        kc_httpdate_format(t, out);
        KT_EQ_STR(out, want);
        int64_t back;
        KT_EQ_INT(kc_httpdate_parse_at(out, strlen(out), NOW, &back), 0);
        KT_EQ_INT(back, t);
    }
}

static void
t_parse_imf(void)
{
    KT_EQ_INT(parse("Sun, 06 Nov 1994 08:49:37 GMT"), 0);
    KT_EQ_INT(T, 784111777);
}

static void
t_parse_rfc850(void)
{
    KT_EQ_INT(parse("Sunday, 06-Nov-94 08:49:37 GMT"), 0);
    KT_EQ_INT(T, 784111777);
    KT_EQ_INT(parse("Wednesday, 09-Jun-21 10:18:14 GMT"), 0);
    KT_EQ_INT(parse("Sun, 06-Nov-94 08:49:37 GMT"), -1);
}

static void
t_parse_asctime(void)
{
    KT_EQ_INT(parse("Sun Nov  6 08:49:37 1994"), 0);
    KT_EQ_INT(T, 784111777);
    KT_EQ_INT(parse("Sun Nov 06 08:49:37 1994"), 0);
    KT_EQ_INT(T, 784111777);
    KT_EQ_INT(parse("Sun Nov 6 08:49:37 1994"), -1);
}

static void
t_two_digit_year_window(void)
{
    /* now is 2026: up to 50 years ahead stays in this century. */
    KT_EQ_INT(parse("Saturday, 01-Jan-76 00:00:00 GMT"), 0);
    KT_EQ_INT(T, 3345062400LL);
    KT_EQ_INT(parse("Saturday, 01-Jan-77 00:00:00 GMT"), 0);
    KT_EQ_INT(T, 220924800);
    /* Near a century's end, small years are the next century. */
    int64_t t;
    const char *s = "Monday, 01-Jan-01 00:00:00 GMT";
    KT_EQ_INT(kc_httpdate_parse_at(s, strlen(s), 4102444800LL /* 2100 */, &t), 0);
    KT_EQ_INT(t, 4133980800LL); /* 2101 */
}

static void
t_leap_second(void)
{
    KT_EQ_INT(parse("Sat, 31 Dec 2016 23:59:60 GMT"), 0);
    KT_EQ_INT(T, 1483228800);
    KT_EQ_INT(parse("Sat, 31 Dec 2016 23:59:61 GMT"), -1);
}

static void
t_reject_ranges(void)
{
    static const char *bad[] = {
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1900 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i]) != -1) {
            printf("#   accepted \"%s\"\n", bad[i]);
            KT_CHECK(0);
        }
    }
    KT_EQ_INT(T, 0x7eadbeef); /* untouched on failure */
    KT_EQ_INT(parse("Tue, 29 Feb 2000 12:00:00 GMT"), 0);
}

static void
t_reject_shape(void)
{
    static const char *bad[] = {
        "",
        "Sun",
        "sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "Sun,  6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 08.49.37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT+1",
        "Sun, 06-Nov-1994 08:49:37 GMT",
        "Funday, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMTX",
        "Sun Nov  6 08:49:37 94",
        "1994-11-06T08:49:37Z",
        "784111777",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i]) != -1) {
            printf("#   accepted \"%s\"\n", bad[i]);
            KT_CHECK(0);
        }
    }
}

static void
t_ows_trimmed(void)
{
    KT_EQ_INT(parse("  Sun, 06 Nov 1994 08:49:37 GMT\t"), 0);
    KT_EQ_INT(T, 784111777);
}

static void
t_weekday_not_checked(void)
{
    KT_EQ_INT(parse("Mon, 06 Nov 1994 08:49:37 GMT"), 0);
    KT_EQ_INT(T, 784111777);
}

static void
t_length_bounded(void)
{
    const char *s = "Sun, 06 Nov 1994 08:49:37 GMTjunk";
    int64_t t;
    KT_EQ_INT(kc_httpdate_parse_at(s, 29, NOW, &t), 0);
    KT_EQ_INT(kc_httpdate_parse_at(s, 28, NOW, &t), -1);
}

static void
t_parse_uses_clock(void)
{
    int64_t t;
    const char *s = "Sun, 06 Nov 1994 08:49:37 GMT";
    KT_EQ_INT(kc_httpdate_parse(s, strlen(s), &t), 0);
    KT_EQ_INT(t, 784111777);
}

int
main(void)
{
    KT_RUN(t_format_rfc_example, "formats the RFC example as IMF-fixdate");
    KT_RUN(t_format_epoch, "formats the epoch and the second before it");
    KT_RUN(t_format_leap_day, "formats 29 Feb 2000");
    KT_RUN(t_format_clamps, "out-of-range times clamp to years 0001 and 9999");
    KT_RUN(t_format_matches_gmtime, "format agrees with gmtime_r and parses back, 1900-2100");
    KT_RUN(t_parse_imf, "parses IMF-fixdate");
    KT_RUN(t_parse_rfc850, "parses the obsolete RFC 850 form");
    KT_RUN(t_parse_asctime, "parses asctime with the day as \" 6\" or \"06\"");
    KT_RUN(t_two_digit_year_window, "a two-digit year more than 50 years ahead is last century");
    KT_RUN(t_leap_second, "second 60 is accepted as the next minute, 61 is not");
    KT_RUN(t_reject_ranges, "out-of-range day, hour, minute, year are rejected");
    KT_RUN(t_reject_shape, "wrong case, zone, widths and other formats are rejected");
    KT_RUN(t_ows_trimmed, "OWS around the date is ignored");
    KT_RUN(t_weekday_not_checked, "a day name that disagrees with the date is accepted");
    KT_RUN(t_length_bounded, "no byte past n is read");
    KT_RUN(t_parse_uses_clock, "kc_httpdate_parse works without a given now");
    return kt_done();
}
