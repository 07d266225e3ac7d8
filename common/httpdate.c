/*
 * HTTP-date formatting and parsing; see httpdate.h. Civil dates come from the
 * day count by the era/day-of-era method (400-year cycles of 146097 days), in
 * integer arithmetic that is exact for the whole 0001..9999 range.
 */
#include "common/httpdate.h"
#include "common/ascii.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

static const char wday_name[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const wday_long[7] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday" };
static const char mon_name[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Days since 1970-01-01 of y-m-d (m 1..12). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void
put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

size_t
kc_httpdate_format(int64_t t, char out[KC_HTTPDATE_LEN + 1])
{
    if (t < KC_HTTPDATE_MIN)
        t = KC_HTTPDATE_MIN;
    if (t > KC_HTTPDATE_MAX)
        t = KC_HTTPDATE_MAX;
    int64_t days = floor_div(t, 86400);
    unsigned sec = (unsigned)(t - days * 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    unsigned wd = (unsigned)((days % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */

    memcpy(out, wday_name[wd], 3);
    memcpy(out + 3, ", ", 2);
    put2(out + 5, d);
    out[7] = ' ';
    memcpy(out + 8, mon_name[m - 1], 3);
    out[11] = ' ';
    put2(out + 12, (unsigned)(y / 100));
    put2(out + 14, (unsigned)(y % 100));
    out[16] = ' ';
    put2(out + 17, sec / 3600);
    out[19] = ':';
    put2(out + 20, sec / 60 % 60);
    out[22] = ':';
    put2(out + 23, sec % 60);
    memcpy(out + 25, " GMT", 5); /* with the NUL */
    return KC_HTTPDATE_LEN;
}

/* n decimal digits at s, or -1. */
static int
digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!kc_is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Month 1..12 from its three-letter name at s, or -1. */
static int
month(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (memcmp(s, mon_name[i], 3) == 0)
            return i + 1;
    return -1;
}

static bool
short_day(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (memcmp(s, wday_name[i], 3) == 0)
            return true;
    return false;
}

static bool
long_day(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (strlen(wday_long[i]) == n && memcmp(s, wday_long[i], n) == 0)
            return true;
    return false;
}

/* "HH:MM:SS" at s into seconds of the day (60 allowed as a leap second). */
static int
time_of_day(const char *s)
{
    if (s[2] != ':' || s[5] != ':')
        return -1;
    int h = digits(s, 2), mi = digits(s + 3, 2), se = digits(s + 6, 2);
    if (h < 0 || mi < 0 || se < 0 || h > 23 || mi > 59 || se > 60)
        return -1;
    return h * 3600 + mi * 60 + se;
}

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
finish(int y, int m, int d, int secs, int64_t *t)
{
    static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1 || y > 9999 || m < 1 || secs < 0 || d < 1)
        return -1;
    if (d > mdays[m - 1] + (m == 2 && is_leap(y)))
        return -1;
    *t = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + secs;
    return 0;
}

int
kc_httpdate_parse_at(const char *s, size_t n, int64_t now, int64_t *t)
{
    while (n > 0 && kc_is_blank(s[n - 1]))
        n--;
    while (n > 0 && kc_is_blank(s[0]))
        s++, n--;
    if (n < 4)
        return -1;
    if (n == 29 && s[3] == ',') {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        if (!short_day(s) || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
            memcmp(s + 25, " GMT", 4) != 0)
            return -1;
        return finish(digits(s + 12, 4), month(s + 8), digits(s + 5, 2), time_of_day(s + 17), t);
    }
    if (n == 24 && s[3] == ' ') {
        /* asctime: "Sun Nov  6 08:49:37 1994" */
        if (!short_day(s) || s[7] != ' ' || s[10] != ' ' || s[19] != ' ')
            return -1;
        int d = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
        return finish(digits(s + 20, 4), month(s + 4), d, time_of_day(s + 11), t);
    }
    /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
    const char *comma = memchr(s, ',', n);
    if (!comma)
        return -1;
    size_t nl = (size_t)(comma - s);
    if (n - nl != 24 || !long_day(s, nl))
        return -1;
    const char *p = comma + 1;
    if (p[0] != ' ' || p[3] != '-' || p[7] != '-' || p[10] != ' ' || p[19] != ' ' ||
        memcmp(p + 20, "GMT", 3) != 0)
        return -1;
    int yy = digits(p + 8, 2);
    if (yy < 0)
        return -1;
    int64_t cy;
    unsigned cm, cd;
    civil_from_days(floor_div(now, 86400), &cy, &cm, &cd);
    int64_t y = cy - cy % 100 + yy;
    if (y > cy + 50)
        y -= 100;
    else if (y <= cy - 50)
        y += 100;
    if (y < 1 || y > 9999)
        return -1;
    return finish((int)y, month(p + 4), digits(p + 1, 2), time_of_day(p + 11), t);
}

int
kc_httpdate_parse(const char *s, size_t n, int64_t *t)
{
    return kc_httpdate_parse_at(s, n, (int64_t)time(NULL), t);
}
