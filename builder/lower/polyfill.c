/*
 * Which polyfills a legacy page gets, and their text. Detection is by name
 * and errs towards including: a builtin's global name, a method's member
 * name on any object, the syntax whose lowered form iterates or awaits. The
 * tables below map names to polyfill files (builder/lower/polyfills/NAME.js);
 * a file's `// needs:` line brings in others (kl_polyfills[i].needs).
 */
#include "builder/lower/polyfill.h"

#include "builder/lower/jsfiles.h"
#include "common/error.h"

#include <assert.h>
#include <string.h>

/* What iterating needs where Symbol is missing: lowered for...of, spread,
 * destructuring and yield* call the protocol on arrays and strings. */
#define ITER "Symbol Array.prototype.@@iterator String.prototype.@@iterator"

struct trigger {
    const char *name;
    const char *polyfills; /* space-separated file names */
    /* Members only: what name also selects unless its object is the
     * global Object (Object.keys is ES5, [].keys() is not). */
    const char *not_on_object;
};

/* Global references (an unbound identifier, or a string, as in
 * window["Promise"]). Sorted by name. */
static const struct trigger globals[] = {
    { "Map", "Map Array.prototype.@@iterator", NULL }, /* its entries are destructured */
    { "Promise", "Promise", NULL },
    { "Set", "Set Array.prototype.@@iterator", NULL },
    { "Symbol", ITER, NULL },
    { "WeakMap", "WeakMap", NULL },
    { "WeakSet", "WeakSet", NULL },
};

/* Member names: x.name, x["name"], a property key (destructuring
 * `{ assign } = Object` reads one), any string. Sorted by name. */
static const struct trigger members[] = {
    { "assign", "Object.assign", NULL },
    { "endsWith", "String.prototype.endsWith", NULL },
    { "entries", "Object.entries", "Array.prototype.@@iterator" },
    { "fill", "Array.prototype.fill", NULL },
    { "find", "Array.prototype.find", NULL },
    { "findIndex", "Array.prototype.findIndex", NULL },
    { "flat", "Array.prototype.flat", NULL },
    { "flatMap", "Array.prototype.flatMap", NULL },
    { "from", "Array.from", NULL },
    { "fromEntries", "Object.fromEntries", NULL },
    { "includes", "Array.prototype.includes String.prototype.includes", NULL },
    { "isFinite", "Number.isFinite", NULL },
    { "isInteger", "Number.isInteger", NULL },
    { "isNaN", "Number.isNaN", NULL },
    { "keys", NULL, "Array.prototype.@@iterator" },
    { "of", "Array.of", NULL },
    { "padEnd", "String.prototype.padEnd", NULL },
    { "padStart", "String.prototype.padStart", NULL },
    { "raw", "String.raw", NULL },
    { "repeat", "String.prototype.repeat", NULL },
    { "startsWith", "String.prototype.startsWith", NULL },
    { "values", "Object.values", "Array.prototype.@@iterator" },
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* The set of the space-separated polyfill names in list (NULL: none). */
static uint64_t
mask_of(const char *list)
{
    uint64_t m = 0;
    char name[128];
    while (list && *list) {
        size_t n = strcspn(list, " ");
        if (n > 0 && n < sizeof name) {
            memcpy(name, list, n);
            name[n] = 0;
            m |= kb_polyfill_bit(name);
        }
        list += n;
        list += strspn(list, " ");
    }
    return m;
}

static const struct trigger *
find(const struct trigger *t, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t[mid].name, name);
        if (c == 0)
            return &t[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

uint64_t
kb_polyfill_bit(const char *name)
{
    assert(kl_polyfills_count <= 64);
    int i = kl_jsfile_find(kl_polyfills, kl_polyfills_count, name);
    return i < 0 ? 0 : UINT64_C(1) << i;
}

struct scan {
    uint64_t set;
    unsigned depth;
};

static void
global(struct scan *s, const char *name)
{
    const struct trigger *t = find(globals, COUNT(globals), name);
    if (t)
        s->set |= mask_of(t->polyfills);
}

/* A member name; on is the node of the object it is read from, or NULL
 * when unknown. */
static void
member(struct scan *s, const char *name, const struct kb_jsn *on)
{
    const struct trigger *t = find(members, COUNT(members), name);
    if (!t)
        return;
    s->set |= mask_of(t->polyfills);
    if (!(on && on->kind == KB_JSN_IDENT && on->binding == 0 && strcmp(on->str, "Object") == 0))
        s->set |= mask_of(t->not_on_object);
}

static void scan_list(struct scan *s, const struct kb_jsn *n, int parent);

/* A property key: an identifier or string names a member; a computed key
 * is an expression. */
static void
key(struct scan *s, const struct kb_jsn *k, bool computed, int parent)
{
    if (!k)
        return;
    if (!computed && (k->kind == KB_JSN_IDENT || k->kind == KB_JSN_STR))
        member(s, k->str, NULL);
    else
        scan_list(s, k, parent);
}

static void
scan(struct scan *s, const struct kb_jsn *n, int parent)
{
    /* Deeper than the parser builds: give up towards including. */
    if (s->depth > KB_JSAST_DEPTH_MAX * 8) {
        s->set = ~UINT64_C(0);
        return;
    }
    s->depth++;
    bool computed = n->flags & KB_JSN_F_COMPUTED;
    switch (n->kind) {
    case KB_JSN_IDENT:
        if (n->binding == 0 && n->str)
            global(s, n->str);
        break;
    case KB_JSN_STR:
        if (n->str && strlen(n->str) == n->len) {
            global(s, n->str);
            member(s, n->str, NULL);
        }
        break;
    case KB_JSN_MEMBER:
        scan_list(s, n->a, n->kind);
        if (computed)
            scan_list(s, n->b, n->kind);
        else if (n->b && n->b->kind == KB_JSN_IDENT)
            member(s, n->b->str, n->a);
        break;
    case KB_JSN_PROPERTY:
    case KB_JSN_METHOD:
    case KB_JSN_FIELD:
        key(s, n->a, computed, n->kind);
        scan_list(s, n->b, n->kind);
        break;
    default:
        switch (n->kind) {
        case KB_JSN_FOR_OF:
            s->set |= mask_of(ITER);
            if (n->flags & KB_JSN_F_AWAIT)
                s->set |= mask_of("Promise");
            break;
        case KB_JSN_SPREAD: /* in a literal object it copies properties */
            if (parent != KB_JSN_OBJECT)
                s->set |= mask_of(ITER);
            break;
        case KB_JSN_ARRAY_PAT: s->set |= mask_of(ITER); break;
        case KB_JSN_YIELD:
            if (n->flags & KB_JSN_F_DELEGATE)
                s->set |= mask_of(ITER);
            break;
        case KB_JSN_FUNC_DECL:
        case KB_JSN_FUNC_EXPR:
        case KB_JSN_ARROW:
            if (n->flags & KB_JSN_F_GENERATOR)
                s->set |= mask_of(ITER);
            if (n->flags & KB_JSN_F_ASYNC)
                s->set |= mask_of("Promise");
            break;
        case KB_JSN_AWAIT:
        case KB_JSN_IMPORT_CALL: s->set |= mask_of("Promise"); break;
        }
        scan_list(s, n->a, n->kind);
        scan_list(s, n->b, n->kind);
        scan_list(s, n->c, n->kind);
        scan_list(s, n->d, n->kind);
    }
    s->depth--;
}

static void
scan_list(struct scan *s, const struct kb_jsn *n, int parent)
{
    for (; n; n = n->next)
        scan(s, n, parent);
}

uint64_t
kb_polyfill_detect(const struct kb_jsast *ast)
{
    struct scan s = { 0, 0 };
    assert(kl_polyfills_count <= 64);
    if (ast->program)
        scan_list(&s, ast->program, 0);
    uint64_t all =
        kl_polyfills_count == 64 ? ~UINT64_C(0) : (UINT64_C(1) << kl_polyfills_count) - 1;
    return s.set & all;
}

int
kb_polyfill_detect_src(const char *src, size_t len, bool module, uint64_t *set,
                       struct kc_diag *diag)
{
    struct kb_jsast ast;
    int rc = kb_jsast_parse(src, len, module, &ast, diag);
    if (rc != 0)
        return rc;
    rc = kb_jsast_scope(&ast, src, diag);
    if (rc == 0)
        *set |= kb_polyfill_detect(&ast);
    kb_jsast_free(&ast);
    return rc;
}

/* Visits polyfill i after what it needs (done marks those visited), and
 * calls fn on each in that order. */
static int
walk(size_t i, uint64_t *done, int (*fn)(size_t i, void *arg), void *arg)
{
    if (*done & UINT64_C(1) << i)
        return 0;
    *done |= UINT64_C(1) << i;
    uint64_t needs = mask_of(kl_polyfills[i].needs);
    for (size_t j = 0; j < kl_polyfills_count; j++)
        if (needs & UINT64_C(1) << j) {
            int rc = walk(j, done, fn, arg);
            if (rc)
                return rc;
        }
    return fn(i, arg);
}

/* Calls fn(i) for each polyfill of set's closure, dependencies first. */
static int
each(uint64_t set, int (*fn)(size_t i, void *arg), void *arg)
{
    uint64_t done = 0;
    assert(kl_polyfills_count <= 64);
    for (size_t i = 0; i < kl_polyfills_count; i++)
        if (set & UINT64_C(1) << i) {
            int rc = walk(i, &done, fn, arg);
            if (rc)
                return rc;
        }
    return 0;
}

static int
add_bit(size_t i, void *arg)
{
    *(uint64_t *)arg |= UINT64_C(1) << i;
    return 0;
}

uint64_t
kb_polyfill_closure(uint64_t set)
{
    uint64_t out = 0;
    each(set, add_bit, &out);
    return out;
}

static int
append_text(size_t i, void *arg)
{
    struct kc_buf *out = arg;
    const struct kl_jsfile *f = &kl_polyfills[i];
    int rc = kc_buf_append(out, f->text, f->len);
    if (rc == 0 && (f->len == 0 || f->text[f->len - 1] != '\n'))
        rc = kc_buf_putc(out, '\n');
    return rc;
}

int
kb_polyfill_text(uint64_t set, struct kc_buf *out)
{
    return each(set, append_text, out);
}

struct names {
    const char **names;
    size_t *bytes;
    size_t cap, n;
};

static int
add_name(size_t i, void *arg)
{
    struct names *l = arg;
    if (l->n < l->cap) {
        if (l->names)
            l->names[l->n] = kl_polyfills[i].name;
        if (l->bytes)
            l->bytes[l->n] = kl_polyfills[i].len;
    }
    l->n++;
    return 0;
}

size_t
kb_polyfill_names(uint64_t set, const char **names, size_t *bytes, size_t cap)
{
    struct names l = { names, bytes, cap, 0 };
    each(set, add_name, &l);
    return l.n;
}

bool
kb_polyfill_mode_parse(const char *s, bool *on)
{
    if (strcmp(s, "auto") == 0)
        *on = true;
    else if (strcmp(s, "none") == 0)
        *on = false;
    else
        return false;
    return true;
}
