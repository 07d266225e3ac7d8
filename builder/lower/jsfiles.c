/* Lookup in the tables gen-jsfiles.sh writes (sorted by name, strcmp order). */
#include "builder/lower/jsfiles.h"

#include <string.h>

int
kl_jsfile_find(const struct kl_jsfile *table, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(table[mid].name, name);
        if (!d)
            return (int)mid;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}
