/*
 * The monotonic clock, for durations only (report timings, timeouts): never
 * a date, never affected by the wall clock being set. Inline, so edge/conn.c
 * can read it per request without a call.
 */
#ifndef KC_CLOCK_H
#define KC_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds since an arbitrary fixed point. */
static inline uint64_t
kc_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Seconds since the same point, for timings that are printed. */
static inline double
kc_clock_seconds(void)
{
    return (double)kc_clock_ns() / 1e9;
}

#endif
