/*
 * Fuzz target for ke_priority_parse (the RFC 9218 value of a PRIORITY_UPDATE
 * frame). The input is the value. Checks: the urgency stays in 0..7; a value
 * that is not a dictionary leaves the defaults; SP around the value changes
 * nothing; a dictionary followed by one more member (", zz=1", which says
 * neither u nor i) parses the same. A violation abort()s.
 */
#include "edge/priority.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX 4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX)
        return 0;
    const char *v = (const char *)data;
    struct ke_priority p, q;
    int rc = ke_priority_parse(v, size, &p);
    if ((rc != 0 && rc != -1) || p.urgency > KE_PRIORITY_URGENCY_MAX)
        abort();
    if (rc != 0 && (p.urgency != KE_PRIORITY_URGENCY_DEFAULT || p.incremental))
        abort();

    static char buf[MAX + 16];
    buf[0] = ' ';
    memcpy(buf + 1, v, size);
    buf[size + 1] = ' ';
    if (ke_priority_parse(buf, size + 2, &q) != rc || q.urgency != p.urgency ||
        q.incremental != p.incremental)
        abort();

    /* An empty dictionary followed by ", zz=1" is a leading comma: an error. */
    size_t k = 0;
    while (k < size && (v[k] == ' ' || v[k] == '\t'))
        k++;
    if (rc == 0 && k < size) {
        memcpy(buf, v, size);
        memcpy(buf + size, ", zz=1", 6);
        if (ke_priority_parse(buf, size + 6, &q) != 0 || q.urgency != p.urgency ||
            q.incremental != p.incremental)
            abort();
    }
    return 0;
}
