/*
 * HTTP-date (RFC 9110 §5.6.7): formatting as IMF-fixdate and parsing all three
 * forms. Times are int64_t seconds since the Unix epoch, UTC, proleptic
 * Gregorian; the civil date is computed from the day count, so neither the
 * locale nor TZ nor gmtime_r is involved. Years 0001..9999 are representable.
 */
#ifndef KC_HTTPDATE_H
#define KC_HTTPDATE_H

#include <stddef.h>
#include <stdint.h>

/* Length of an IMF-fixdate, without the NUL. */
#define KC_HTTPDATE_LEN 29

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the formattable range. */
#define KC_HTTPDATE_MIN (-62135596800LL)
#define KC_HTTPDATE_MAX 253402300799LL

/*
 * Writes t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and a NUL to
 * out; returns KC_HTTPDATE_LEN. t outside KC_HTTPDATE_MIN..MAX is clamped to
 * it, so the output always has the fixed shape. Cheap enough to call on
 * every request, though the edge formats Date once per second.
 */
size_t kc_httpdate_format(int64_t t, char out[KC_HTTPDATE_LEN + 1]);

/*
 * Parses an HTTP-date s[0..n) into *t. Accepts IMF-fixdate, the obsolete
 * RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6
 * 08:49:37 1994", the day also as "06"). Names are case-sensitive, as the
 * ABNF says (%s); separators are exactly one SP; OWS around the whole value
 * is ignored. Rejected (-1, *t untouched): any other shape, a month day
 * outside the month (Feb 29 only in leap years), hour > 23, minute > 59,
 * second > 60, year 0000. Second 60 (a leap second) is accepted and lands on
 * the next minute's :00. The day name must be a valid one but is not checked
 * against the date (as nginx and most servers do).
 *
 * An RFC 850 two-digit year is read per RFC 9110 §5.6.7: the year with those
 * last two digits no more than 50 years after the current year, otherwise
 * the century before (judged by year, not to the second). now is the
 * current time for that rule; the function is otherwise pure.
 * Returns 0 or -1; on -1 the caller ignores the conditional header.
 */
int kc_httpdate_parse_at(const char *s, size_t n, int64_t now, int64_t *t);

/* kc_httpdate_parse_at with now = time(NULL). */
int kc_httpdate_parse(const char *s, size_t n, int64_t *t);

#endif
