/*
 * Checks over a scanner's reference list (builder/refs/ref.h), shared by the
 * scanner tests (html, css, js, srcset, webmanifest). A failed check ends the
 * case with the file and line of the KT_REF that failed, as kt.h's do.
 */
#ifndef KT_REF_ASSERT_H
#define KT_REF_ASSERT_H

#include "builder/refs/ref.h"
#include "tests/kt.h"

/* Ref i of list (a struct kb_reflist) exists, is of kind kind_, spans
 * exactly the raw text span_ of src (escapes and entities as written) and
 * decodes to url_. */
#define KT_REF(list, src, i, kind_, span_, url_)                                                   \
    do {                                                                                           \
        KT_CHECK((size_t)(i) < (list).n);                                                          \
        KT_EQ_INT((list).v[i].kind, kind_);                                                        \
        KT_EQ_SPAN(src, (list).v[i].start, (list).v[i].end, span_);                                \
        KT_EQ_STR((list).v[i].url, url_);                                                          \
    } while (0)

#endif
