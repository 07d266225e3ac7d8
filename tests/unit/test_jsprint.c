/*
 * kb_jsprint: exact output for trees the parser builds (compact and readable),
 * parentheses for synthesized trees, literals from their fields, lexical
 * lowering by target, the position map, the depth limit, and a round trip
 * over every .js file under tests/ and test262-parser-tests when installed:
 * parse, print, parse again, and the two trees dump the same (dumps hold no
 * positions and no F_PAREN). Files or folders on the command line replace
 * that corpus: build/asan/tests/unit/test_jsprint path/to/pkg
 */
#include "builder/js/arena.h"
#include "builder/js/print.h"
#include "common/buf.h"
#include "common/error.h"
#include "tests/kt.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

static struct kb_jsast ast;
static struct kc_diag diag;
static struct kc_buf out;
static struct kb_jsprint_map map;
static char msg[4096];

/* Parses src (module or script) into ast; "ok" or the error. */
static const char *
parse(const char *src, bool module)
{
    kb_jsast_free(&ast);
    memset(&diag, 0, sizeof diag);
    if (kb_jsast_parse(src, strlen(src), module, &ast, &diag) != 0)
        return diag.msg;
    return "ok";
}

/* Prints node n (parsed from src) and returns the text. */
static const char *
print_node(const struct kb_jsn *n, const char *src, int target, bool compact)
{
    struct kb_jsprint_opts o = { src, src ? strlen(src) : 0, target, compact };
    kc_buf_free(&out);
    kc_buf_init(&out, 1u << 30);
    kb_jsprint_map_free(&map);
    int rc = kb_jsprint(n, &o, &out, &map);
    if (rc) {
        snprintf(msg, sizeof msg, "error %d", rc);
        return msg;
    }
    return out.data ? out.data : "";
}

/* Parses and prints the program. */
static const char *
pp(const char *src, bool module, int target, bool compact)
{
    const char *r = parse(src, module);
    if (strcmp(r, "ok") != 0) {
        snprintf(msg, sizeof msg, "parse error: %s", r);
        return msg;
    }
    return print_node(ast.program, src, target, compact);
}

/* Compact and readable output of a module, a script, and a target. */
#define C(src, want)      KT_EQ_STR(pp(src, true, 9999, true), want)
#define CS(src, want)     KT_EQ_STR(pp(src, false, 9999, true), want)
#define R(src, want)      KT_EQ_STR(pp(src, true, 9999, false), want)
#define CT(src, t, want)  KT_EQ_STR(pp(src, true, t, true), want)
#define CST(src, t, want) KT_EQ_STR(pp(src, false, t, true), want)

static void
t_precedence_prints_only_needed_parentheses(void)
{
    C("(a + b) * c", "(a+b)*c;");
    C("a + (b * c)", "a+b*c;");
    C("(a - b) - c", "a-b-c;");
    C("a - (b - c)", "a-(b-c);");
    C("(a ** b) ** c", "(a**b)**c;");
    C("a ** (b ** c)", "a**b**c;");
    C("(-a) ** b", "(-a)**b;");
    C("a ** -b", "a**-b;");
    C("(await x) ** 2; async function f() { (await x) ** 2 }",
      "(await x)**2;async function f(){(await x)**2;}");
    C("(a = b) ? c : d", "(a=b)?c:d;");
    C("a ? b : (c ? d : e)", "a?b:c?d:e;");
    C("(a ? b : c) ? d : e", "(a?b:c)?d:e;");
    C("a = (b = c)", "a=b=c;");
    C("(a, b)", "a,b;");
    C("f((a, b), c)", "f((a,b),c);");
    C("x = ((a, b), c)", "x=((a,b),c);");
    C("[(a, b)]", "[(a,b)];");
    C("(a ?? b) || c", "(a??b)||c;");
    C("a ?? (b || c)", "a?\?(b||c);");
    C("(a || b) ?? c", "(a||b)??c;");
    C("(a && b) || c", "a&&b||c;");
    C("a || (b && c)", "a||b&&c;");
    C("(a || b) && c", "(a||b)&&c;");
    C("typeof (a + b)", "typeof(a+b);");
    C("!(a instanceof b)", "!(a instanceof b);");
    C("(!a) in b", "!a in b;");
    C("(a, b) ? c : d", "(a,b)?c:d;");
    CS("x = (yield)", "x=yield;");
    C("function* g() { x = yield; a + (yield b); yield (a, b); yield* c }",
      "function*g(){x=yield;a+(yield b);yield(a,b);yield*c;}");
    C("async function f() { await (a + b); (await a).b; await a.b; !await a }",
      "async function f(){await(a+b);(await a).b;await a.b;!await a;}");
    C("(a.b)++; (a++).b", "a.b++;(a++).b;");
    C("(function () {})()", "(function(){})();");
    C("(() => {})()", "(()=>{})();");
    C("x = (() => a) || b", "x=(()=>a)||b;");
    C("(a => a) ? b : c", "(a=>a)?b:c;");
    C("a ? b => c : d => e", "a?b=>c:d=>e;");
}

static void
t_new_and_call_callees(void)
{
    C("new (a())()", "new (a())();");
    C("new (a.b())", "new (a.b())();");
    C("new a.b()", "new a.b();");
    C("new (a().b)()", "new (a().b)();");
    C("new a", "new a();");
    C("new (new a)(b)", "new new a()(b);");
    C("new (new a(b))", "new new a(b)();");
    C("(new a).b", "new a().b;");
    C("(new a)()", "new a()();");
    C("new a.b[c]()", "new a.b[c]();");
    C("new (import('x'))", "new (import('x'))();");
    C("new a`x`", "new a`x`();");
    C("(a, b)()", "(a,b)();");
    C("(a ? b : c).d", "(a?b:c).d;");
    C("(a = b).c", "(a=b).c;");
}

static void
t_optional_chains_keep_their_extent(void)
{
    C("a?.b.c", "a?.b.c;");
    C("(a?.b).c", "(a?.b).c;");
    C("(a?.b)()", "(a?.b)();");
    C("a?.b()", "a?.b();");
    C("a?.()?.[b]", "a?.()?.[b];");
    C("(a?.b)`x`", "(a?.b)`x`;");
    C("class A { #x; m() { return a?.#x } }", "class A{#x;m(){return a?.#x;}}");
    C("delete a?.b", "delete a?.b;");
    C("a?.[0]?.b", "a?.[0]?.b;");
}

static void
t_statement_starts_that_need_parentheses(void)
{
    C("(function () {});", "(function(){});");
    C("(function f() {}).call(x)", "(function f(){}).call(x);");
    C("(class {});", "(class{});");
    C("(class A {}).b", "(class A{}).b;");
    C("({});", "({});");
    C("({}).toString()", "({}).toString();");
    C("({a} = b);", "({a}=b);");
    C("({a} = b), c;", "({a}=b),c;");
    C("(async function () {});", "(async function(){});");
    C("(function () {}) + 1", "(function(){})+1;");
    CS("(let)[0] = 1", "(let)[0]=1;");
    CS("(let).x", "(let).x;");
    C("[a] = b", "[a]=b;");
    C("x = function () {}", "x=function(){};");
    C("async () => {}", "async()=>{};");
    C("!function () {}()", "!function(){}();");
    C("a = {}", "a={};");
}

static void
t_arrow_functions(void)
{
    C("x = (a) => a", "x=a=>a;");
    C("x = (a, b) => a", "x=(a,b)=>a;");
    C("x = () => ({})", "x=()=>({});");
    C("x = () => ({}).a", "x=()=>({}).a;");
    C("x = () => ({a} = b)", "x=()=>({a}=b);");
    C("x = () => (a, b)", "x=()=>(a,b);");
    C("x = ([a]) => a", "x=([a])=>a;");
    C("x = ({a}) => a", "x=({a})=>a;");
    C("x = (...a) => a", "x=(...a)=>a;");
    C("x = (a = 1) => a", "x=(a=1)=>a;");
    C("x = async a => a", "x=async a=>a;");
    C("x = async (a, b) => { await a }", "x=async(a,b)=>{await a;};");
    C("x = () => () => a", "x=()=>()=>a;");
    C("x = () => a ? b : c", "x=()=>a?b:c;");
    R("x = (a) => a", "x = (a) => a;\n");
    R("x = async a => { a }", "x = async (a) => {\n  a;\n};\n");
}

static void
t_tokens_never_run_together(void)
{
    C("-(-x)", "- -x;");
    C("+(+x)", "+ +x;");
    C("a - -b", "a- -b;");
    C("a + +b", "a+ +b;");
    C("a + ++b", "a+ ++b;");
    C("a - --b", "a- --b;");
    C("a++ + b", "a++ +b;");
    C("a-- > b", "a-- >b;");
    CS("x < !--y", "x< !--y;");
    C("a / /re/", "a/ /re/;");
    C("x = /re/ instanceof RegExp", "x=/re/ instanceof RegExp;");
    C("x = /re/g in y", "x=/re/g in y;");
    C("typeof x", "typeof x;");
    C("void 0", "void 0;");
    C("a in b", "a in b;");
    C("x = a ? .5 : b", "x=a? .5:b;");
    C("1..toString()", "1..toString();");
    C("(1).toString()", "(1).toString();");
    C("1.5.toString()", "1.5.toString();");
    C("(1e3).x", "1e3.x;");
    C("0x10.x", "0x10.x;");
    C("(1_000).x", "(1_000).x;");
    C("1n.x", "1n.x;");
    C("x = 1 in y", "x=1 in y;");
    C("0. in S", "0. in S;"); /* fuzz_jsprint: 0.in does not lex */
    C("x = 1. instanceof N", "x=1. instanceof N;");
    C("x = 'a' in y", "x='a'in y;");
}

static void
t_in_inside_a_for_head_is_parenthesized(void)
{
    C("for (var x = (a in b); ;);", "for(var x=(a in b);;);");
    C("for ((a in b); ;);", "for((a in b);;);");
    C("for (x = (a in b) ? c : d; ;);", "for(x=(a in b)?c:d;;);");
    C("for (var x = () => (a in b); ;);", "for(var x=()=>(a in b);;);");
    C("for (var x = [a in b]; ;);", "for(var x=[a in b];;);");
    C("for (var x = f(a in b); ;);", "for(var x=f(a in b);;);");
    C("for (var x = function () { a in b }; ;);", "for(var x=function(){a in b;};;);");
    C("for (;a in b;);", "for(;a in b;);");
    CS("for (var x = (a in b) in c);", "for(var x=(a in b)in c);");
}

static void
t_for_heads(void)
{
    C("for (let [a] of b);", "for(let[a]of b);");
    C("for (const {a} of b);", "for(const{a}of b);");
    CS("for ((async) of x);", "for((async)of x);");
    C("async function f() { for await ((async) of x); }",
      "async function f(){for await((async)of x);}");
    CS("for ((let) in x);", "for((let)in x);");
    CS("for ((let).a of x);", "for((let).a of x);");
    CS("for ((let)[a] in x);", "for((let)[a]in x);");
    CS("for ((let).a;;);", "for((let).a;;);");
    C("for (x of (a, b));", "for(x of(a,b));");
    C("for (x in a, b);", "for(x in a,b);");
    C("for ([a, b] of c);", "for([a,b]of c);");
    C("for (a.b of c);", "for(a.b of c);");
    C("for (;;) {}", "for(;;){}");
    C("for (let i = 0, j; i < 1; i++, j--) x", "for(let i=0,j;i<1;i++,j--)x;");
    R("for (;;) {}", "for (;;) {}\n");
    R("for (;x;) {}", "for (; x;) {}\n");
    R("for (let i = 0; i < n; i++) { a }", "for (let i = 0; i < n; i++) {\n  a;\n}\n");
    R("async function f() { for await (const x of y) z }",
      "async function f() {\n  for await (const x of y) z;\n}\n");
}

static void
t_dangling_else_and_statement_bodies(void)
{
    C("if (a) { if (b) c } else d", "if(a){if(b)c;}else d;");
    C("if (a) b; else if (c) d; else e", "if(a)b;else if(c)d;else e;");
    C("if (a) b", "if(a)b;");
    C("if (a); else;", "if(a);else;");
    C("while (a) b", "while(a)b;");
    C("do a; while (b)", "do a;while(b);");
    C("do { a } while (b)", "do{a;}while(b);");
    C("l: for (;;) { break l; continue l }", "l:for(;;){break l;continue l;}");
    C("a: b: c", "a:b:c;");
    CS("with (a) b", "with(a)b;");
    C("switch (a) { case 1: b; case 2: default: c }", "switch(a){case 1:b;case 2:default:c;}");
    C("try { a } catch (e) { b } finally { c }", "try{a;}catch(e){b;}finally{c;}");
    C("try {} catch {}", "try{}catch{}");
    C("try {} catch ({a}) {}", "try{}catch({a}){}");
    C("debugger", "debugger;");
    C(";", ";");
    C("{}", "{}");
    R("if (a) b; else c", "if (a) b;\nelse c;\n");
    R("if (a) { b } else { c }", "if (a) {\n  b;\n} else {\n  c;\n}\n");
    R("if (a) { b } else if (c) d", "if (a) {\n  b;\n} else if (c) d;\n");
    R("do a; while (b)", "do a;\nwhile (b);\n");
    R("do {} while (b)", "do {} while (b);\n");
    R("switch (a) { case 1: b; break; default: }",
      "switch (a) {\n  case 1:\n    b;\n    break;\n  default:\n}\n");
    R("try { a } catch (e) {} finally { c }", "try {\n  a;\n} catch (e) {} finally {\n  c;\n}\n");
    R("l: while (1) break l", "l: while (1) break l;\n");
    R("a;\n\n\n  b; c\n/* x */\n\nd", "a;\n\nb;\nc;\nd;\n");
    R("function f() {\n  a;\n\n  b;\n}", "function f() {\n  a;\n\n  b;\n}\n");
}

static void
t_return_throw_and_friends_keep_their_operand(void)
{
    C("function f() { return a, b }", "function f(){return a,b;}");
    C("function f() { return }", "function f(){return;}");
    C("function f() { return (\na\n) }", "function f(){return a;}");
    C("throw new Error('x')", "throw new Error('x');");
    C("function f() { return {} }", "function f(){return{};}");
    C("function f() { return /re/ }", "function f(){return/re/;}");
    C("function f() { return 'x' }", "function f(){return'x';}");
    R("function f() { return {a: 1, b} }", "function f() {\n  return { a: 1, b };\n}\n");
    R("function f() { return {\na: 1} }", "function f() {\n  return {\n    a: 1\n  };\n}\n");
}

static void
t_functions_classes_and_objects(void)
{
    C("function f(a, b = 1, ...c) {}", "function f(a,b=1,...c){}");
    C("function* g() {}", "function*g(){}");
    C("async function* g() {}", "async function*g(){}");
    C("x = function* () {}", "x=function*(){};");
    C("x = {a, b: c, [d]: e, ...f, 'g': 1, 2: h}", "x={a,b:c,[d]:e,...f,'g':1,2:h};");
    C("x = {a() {}, get b() {}, set b(v) {}, async c() {}, *d() {}, async *e() {}, [f]() {}}",
      "x={a(){},get b(){},set b(v){},async c(){},*d(){},async*e(){},[f](){}};");
    C("x = {get() {}, set: 1, async: 2, static() {}}", "x={get(){},set:1,async:2,static(){}};");
    C("class A { static a = 1; b; #c = 2; static { x } static async *d() {} get [e]() {} }",
      "class A{static a=1;b;#c=2;static{x;}static async*d(){}get [e](){}}");
    C("class A { get; set; static; async; 'constructor'() {} }",
      "class A{get;set;static;async;'constructor'(){}}");
    C("class A extends (a, b) {}", "class A extends(a,b){}");
    C("class A extends a.b {}", "class A extends a.b{}");
    C("x = class extends B {}", "x=class extends B{};");
    C("class A { m() { super.m(); new.target } }", "class A{m(){super.m();new.target;}}");
    C("class A { #x; m(o) { return #x in o } }", "class A{#x;m(o){return#x in o;}}");
    C("x = [, a, , b, ]", "x=[,a,,b];");
    C("x = [a, ,]", "x=[a,,];");
    C("x = [,]", "x=[,];");
    C("[a, , ...b] = c", "[a,,...b]=c;");
    C("({a = 1, b: {c} = d, ...e} = f)", "({a=1,b:{c}=d,...e}=f);");
    C("var {a = 1, b: [c]} = d", "var{a=1,b:[c]}=d;");
    R("class A { m() {} static x = 1 }", "class A {\n  m() {}\n  static x = 1;\n}\n");
    R("x = {a: 1, m() {}}", "x = { a: 1, m() {} };\n");
    R("x = function () {}", "x = function () {};\n");
    R("x = function* () {}", "x = function* () {};\n");
    R("function* g() {}", "function* g() {}\n");
    R("x = {async *g() {}}", "x = { async *g() {} };\n");
}

static void
t_templates_and_literals(void)
{
    C("x = `a${b}c${`d${e}`}`", "x=`a${b}c${`d${e}`}`;");
    C("x = tag`a\\unicode${b}`", "x=tag`a\\unicode${b}`;");
    C("x = `${a, b}`", "x=`${a,b}`;");
    C("x = a.b`c`", "x=a.b`c`;");
    C("function f() { x = new.target }", "function f(){x=new.target;}");
    C("x = import.meta.url", "x=import.meta.url;");
    C("import('a', {with: {type: 'json'}})", "import('a',{with:{type:'json'}});");
    C("x = 0x1F + 0o17 + 0b11 + 1e21 + .5 + 5. + 1_000", "x=0x1F+0o17+0b11+1e21+.5+5.+1_000;");
    C("x = 123n + 0x1Fn", "x=123n+0x1Fn;");
    C("x = 'a\\'b' + \"c\\u{1F600}\"", "x='a\\'b'+\"c\\u{1F600}\";");
    C("x = /[/]\\//gu", "x=/[/]\\//gu;");
    C("x = null, true, false, this", "x=null,true,false,this;");
    C("x = caf\\u00e9", "x=café;");
}

static void
t_directive_prologues(void)
{
    C("'use strict'; a", "'use strict';a;");
    CS("'use strict'\n'b'; a", "'use strict';'b';a;");
    CS("('use strict'); with (a) b", "('use strict');with(a)b;");
    CS("a; 'b'", "a;'b';");
    CS("function f() { 'use strict'; ('x') }", "function f(){'use strict';('x');}");
    CS("function f() { ('use strict'); with (a) b }", "function f(){('use strict');with(a)b;}");
    CS("'a' + b", "'a'+b;");
    CS("#!/usr/bin/env node\nx", "#!/usr/bin/env node\nx;");
}

static void
t_modules(void)
{
    C("import 'a'", "import'a';");
    C("import {} from 'a'", "import'a';");
    C("import a from 'a'", "import a from'a';");
    C("import a, * as b from 'a'", "import a,*as b from'a';");
    C("import a, {b, c as d, 'e f' as g, default as h} from 'a'",
      "import a,{b,c as d,'e f'as g,default as h}from'a';");
    C("import j from './a.json' with {type: 'json'}", "import j from'./a.json'with{type:'json'};");
    C("export var a = 1", "export var a=1;");
    C("export let a, b", "export let a,b;");
    C("export function f() {}", "export function f(){}");
    C("export async function f() {}", "export async function f(){}");
    C("export class A {}", "export class A{}");
    C("var a, b; export {a, b as c, a as 'd e'}", "var a,b;export{a,b as c,a as'd e'};");
    C("export {}", "export{};");
    C("export {a as b, 'c' as 'd'} from 'x'", "export{a as b,'c'as'd'}from'x';");
    C("export * from 'x'", "export*from'x';");
    C("export * as ns from 'x'", "export*as ns from'x';");
    C("export * as 'a b' from 'x'", "export*as'a b'from'x';");
    C("export default function () {}", "export default function(){}");
    C("export default function f() {}", "export default function f(){}");
    C("export default async function () {}", "export default async function(){}");
    C("export default class {}", "export default class{}");
    C("export default (function () {})", "export default(function(){});");
    C("export default (class {})", "export default(class{});");
    C("export default (function () {}).call()", "export default(function(){}).call();");
    C("export default (a, b)", "export default(a,b);");
    C("export default a = 1", "export default a=1;");
    C("export default {}", "export default{};");
    C("await x", "await x;");
    R("import a, {b, c as d} from 'a'", "import a, { b, c as d } from 'a';\n");
    R("export * as ns from 'x'", "export * as ns from 'x';\n");
    R("export {}", "export {};\n");
    R("export default function () {}", "export default function () {}\n");
}

static void
t_lowering_by_target(void)
{
    CT("x = 1_000 + 0xf_f + 1_0n", 2020, "x=1000+0xff+10n;");
    CT("x = 1_000", 2021, "x=1_000;");
    CT("x = 0b101 + 0O17 + 0x10", 5, "x=5+15+0x10;");
    CT("x = 0b101", 2015, "x=0b101;");
    CT("(0b1).x", 5, "(1).x;");
    CT("x = 0b11111111111111111111111111111111111111111111111111111111", 5, "x=72057594037927940;");
    CST("x = 010 + 08", 5, "x=010+08;");
    CT("x = '\\u{1F600}a'", 5, "x=\"\\ud83d\\ude00a\";");
    CT("x = '\\u{41}\\n'", 5, "x=\"A\\u000a\";");
    CT("x = '\\u{41}'", 2015, "x='\\u{41}';");
    CT("x = '\\\\u{41}'", 5, "x='\\\\u{41}';");
    CT("x = '\xe2\x80\xa8"
       "a\xe2\x80\xa9'",
       2018, "x='\\u2028a\\u2029';");
    CT("x = '\xe2\x80\xa8'", 2019, "x='\xe2\x80\xa8';");
    CT("x = 'a\\\xe2\x80\xa9"
       "b\\\\\xe2\x80\xa8'",
       2018, "x=\"ab\\\\\\u2028\";");
    /* Dropping the line continuation must not join E2 80 and A8 into a raw
     * U+2028, which ends an ES5 string (fuzz_jsprint, finding 12). */
    CT("x = '\xe2\x80\\\xe2\x80\xa8\xa8'", 2018, "x=\"\\u2028\";");
    CT("x = '\\u{2028}'", 5, "x=\"\\u2028\";");
    CT("x = '\\uD800'", 5, "x='\\uD800';");
    CT("x = '\\u{D800}'", 5, "x=\"\\ud800\";");
    CT("x = \\u{61}b", 5, "x=ab;");
}

/* ---- Synthesized nodes ---- */

static struct kb_jsn *
mk(int kind)
{
    struct kb_jsn *n = kb_jsast_alloc(ast.arena, sizeof *n);
    n->kind = (uint8_t)kind;
    return n;
}

static struct kb_jsn *
mk_num(double v)
{
    struct kb_jsn *n = mk(KB_JSN_NUM);
    n->num = v;
    return n;
}

static struct kb_jsn *
mk_ident(const char *name)
{
    struct kb_jsn *n = mk(KB_JSN_IDENT);
    n->str = name;
    n->len = (uint32_t)strlen(name);
    return n;
}

static struct kb_jsn *
mk2(int kind, int op, struct kb_jsn *a, struct kb_jsn *b)
{
    struct kb_jsn *n = mk(kind);
    n->op = (uint8_t)op;
    n->a = a;
    n->b = b;
    return n;
}

#define SYN(n, want) KT_EQ_STR(print_node(n, "", 9999, true), want)

static void
t_synthesized_numbers_print_from_their_value(void)
{
    KT_EQ_STR(parse("x", true), "ok");
    SYN(mk_num(0.1), "0.1");
    SYN(mk_num(1e21), "1e21");
    SYN(mk_num(1e-7), "1e-7");
    SYN(mk_num(123456789), "123456789");
    SYN(mk_num(0.1 + 0.2), "0.30000000000000004");
    SYN(mk_num(-1), "-1");
    SYN(mk_num(-0.0), "-0");
    SYN(mk_num(NAN), "NaN");
    SYN(mk_num(INFINITY), "Infinity");
    SYN(mk_num(-INFINITY), "-Infinity");
    SYN(mk_num(9007199254740993.0), "9007199254740992");
    /* A negative number is a unary minus: it binds as one. */
    SYN(mk2(KB_JSN_BINARY, KB_JS_OP_STARSTAR, mk_num(-2), mk_num(2)), "(-2)**2");
    SYN(mk2(KB_JSN_BINARY, KB_JS_OP_MINUS, mk_ident("a"), mk_num(-2)), "a- -2");
    SYN(mk2(KB_JSN_UNARY, KB_JS_OP_MINUS, mk_num(-2), NULL), "- -2");
    struct kb_jsn *m = mk2(KB_JSN_MEMBER, 0, mk_num(-1), mk_ident("x"));
    SYN(m, "(-1).x");
    m->a = mk_num(5);
    SYN(m, "(5).x");
    m->a = mk_num(0.5);
    SYN(m, "0.5.x");
    /* A property key cannot be negative: it becomes a string. */
    struct kb_jsn *prop = mk2(KB_JSN_PROPERTY, KB_JS_P_INIT, mk_num(-1), mk_num(1));
    SYN(mk2(KB_JSN_OBJECT, 0, prop, NULL), "{\"-1\":1}");
}

static void
t_synthesized_strings_and_literals(void)
{
    KT_EQ_STR(parse("x", true), "ok");
    struct kb_jsn *s = mk(KB_JSN_STR);
    s->str = "a\"b'c\\\n\xe2\x80\xa8";
    s->len = (uint32_t)strlen(s->str);
    KT_EQ_STR(print_node(s, "", 2019, true), "\"a\\\"b'c\\\\\\u000a\xe2\x80\xa8\"");
    KT_EQ_STR(print_node(s, "", 2018, true), "\"a\\\"b'c\\\\\\u000a\\u2028\"");
    s->str = "\xed\xa0\x80z\xf0\x9f\x98\x80";
    s->len = (uint32_t)strlen(s->str);
    KT_EQ_STR(print_node(s, "", 2015, true), "\"\\ud800z\xf0\x9f\x98\x80\"");
    KT_EQ_STR(print_node(s, "", 5, true), "\"\\ud800z\\ud83d\\ude00\"");
    s->str = "a\0b";
    s->len = 3;
    SYN(s, "\"a\\u0000b\"");
    struct kb_jsn *re = mk(KB_JSN_REGEX);
    re->str = "";
    re->str2 = "g";
    SYN(re, "/(?:)/g");
    re->str = "a/b";
    SYN(mk2(KB_JSN_BINARY, KB_JS_OP_SLASH, mk_ident("x"), re), "x/ /a/b/g");
    struct kb_jsn *big = mk(KB_JSN_BIGINT);
    big->str = "12";
    big->len = 2;
    SYN(big, "12n");
    struct kb_jsn *te = mk(KB_JSN_TEMPLATE_ELEM);
    te->str = "a`${b}\\";
    te->len = (uint32_t)strlen(te->str);
    SYN(mk2(KB_JSN_TEMPLATE, 0, te, NULL), "`a\\`\\${b}\\\\`");
}

static void
t_synthesized_trees_get_parentheses_from_their_shape(void)
{
    KT_EQ_STR(parse("x", true), "ok");
    struct kb_jsn *seq = mk(KB_JSN_SEQUENCE);
    seq->a = mk_ident("a");
    seq->a->next = mk_ident("b");
    SYN(mk2(KB_JSN_BINARY, KB_JS_OP_PLUS, seq, mk_ident("c")), "(a,b)+c");
    struct kb_jsn *call = mk2(KB_JSN_CALL, 0, mk_ident("f"), seq);
    SYN(call, "f((a,b))");
    struct kb_jsn *add = mk2(KB_JSN_BINARY, KB_JS_OP_PLUS, mk_ident("a"), mk_ident("b"));
    SYN(mk2(KB_JSN_BINARY, KB_JS_OP_STAR, add, mk_ident("c")), "(a+b)*c");
    SYN(mk2(KB_JSN_BINARY, KB_JS_OP_MINUS, mk_ident("c"),
            mk2(KB_JSN_BINARY, KB_JS_OP_MINUS, mk_ident("a"), mk_ident("b"))),
        "c-(a-b)");
    struct kb_jsn * or = mk2(KB_JSN_LOGICAL, KB_JS_OP_OR, mk_ident("a"), mk_ident("b"));
    SYN(mk2(KB_JSN_LOGICAL, KB_JS_OP_NULLISH, or, mk_ident("c")), "(a||b)??c");
    struct kb_jsn *and = mk2(KB_JSN_LOGICAL, KB_JS_OP_AND, mk_ident("a"), mk_ident("b"));
    SYN(mk2(KB_JSN_LOGICAL, KB_JS_OP_NULLISH, mk_ident("c"), and), "c?\?(a&&b)");
    struct kb_jsn *nl = mk2(KB_JSN_LOGICAL, KB_JS_OP_NULLISH, mk_ident("a"), mk_ident("b"));
    SYN(mk2(KB_JSN_LOGICAL, KB_JS_OP_OR, nl, mk_ident("c")), "(a??b)||c");
    /* new (f())(), and a call whose callee is a chain. */
    struct kb_jsn *fcall = mk2(KB_JSN_CALL, 0, mk_ident("f"), NULL);
    SYN(mk2(KB_JSN_NEW, 0, fcall, NULL), "new (f())()");
    struct kb_jsn *opt = mk2(KB_JSN_MEMBER, 0, mk_ident("a"), mk_ident("b"));
    opt->flags = KB_JSN_F_OPTIONAL;
    struct kb_jsn *chain = mk2(KB_JSN_CHAIN, 0, opt, NULL);
    SYN(mk2(KB_JSN_CALL, 0, chain, NULL), "(a?.b)()");
    SYN(mk2(KB_JSN_MEMBER, 0, chain, mk_ident("c")), "(a?.b).c");
    /* Statements: an expression statement of a function, a dangling else. */
    struct kb_jsn *fn = mk(KB_JSN_FUNC_EXPR);
    fn->c = mk(KB_JSN_BLOCK);
    struct kb_jsn *es = mk2(KB_JSN_EXPR_STMT, 0, mk2(KB_JSN_CALL, 0, fn, NULL), NULL);
    SYN(es, "(function(){})();");
    struct kb_jsn *inner =
        mk2(KB_JSN_IF, 0, mk_ident("b"), mk2(KB_JSN_EXPR_STMT, 0, mk_ident("c"), NULL));
    struct kb_jsn *outer = mk2(KB_JSN_IF, 0, mk_ident("a"), inner);
    outer->c = mk2(KB_JSN_EXPR_STMT, 0, mk_ident("d"), NULL);
    SYN(outer, "if(a){if(b)c;}else d;");
    struct kb_jsn *loop = mk(KB_JSN_WHILE);
    loop->a = mk_ident("x");
    loop->d = inner;
    outer->b = loop;
    SYN(outer, "if(a){while(x)if(b)c;}else d;");
    KT_EQ_STR(print_node(outer, "", 9999, false), "if (a) {\n  while (x) if (b) c;\n} else d;");
    /* Arrow body: an object literal. */
    struct kb_jsn *arrow = mk(KB_JSN_ARROW);
    arrow->flags = KB_JSN_F_EXPR_BODY;
    arrow->c = mk(KB_JSN_OBJECT);
    SYN(arrow, "()=>({})");
    /* export default of a function expression. */
    struct kb_jsn *ed = mk2(KB_JSN_EXPORT_DEFAULT, 0, fn, NULL);
    SYN(ed, "export default(function(){});");
    /* A renamed shorthand property is no longer shorthand. */
    KT_EQ_STR(parse("({a} = b); x = {c}", true), "ok");
    ast.program->a->a->a->a->b->str = "z";
    ast.program->a->a->a->a->b->len = 1;
    ast.program->a->next->a->b->a->b->str = "y";
    ast.program->a->next->a->b->a->b->len = 1;
    KT_EQ_STR(print_node(ast.program, "({a} = b); x = {c}", 9999, true), "({a:z}=b);x={c:y};");
    KT_EQ_STR(parse("x = {__proto__}", false), "ok");
    ast.program->a->a->b->a->b->str = "p";
    ast.program->a->a->b->a->b->len = 1;
    KT_EQ_STR(print_node(ast.program, "x = {__proto__}", 9999, true), "x={[\"__proto__\"]:p};");
}

static void
t_map_records_segments_and_exact_copies(void)
{
    const char *src = "foo(bar.baz, 'q\xe2\x80\xa8r', 1_0);\nlet x = /re/g";
    KT_EQ_STR(parse(src, true), "ok");
    KT_EQ_STR(print_node(ast.program, src, 2018, true), "foo(bar.baz,'q\\u2028r',10);let x=/re/g;");
    /* Segments in output order, each at the start of its node's text. */
    for (size_t i = 1; i < map.nsegs; i++)
        KT_CHECK(map.segs[i].out >= map.segs[i - 1].out);
    bool foo = false, bar = false, baz = false, let = false, x = false;
    for (size_t i = 0; i < map.nsegs; i++) {
        struct kb_jsprint_seg s = map.segs[i];
        foo |= s.out == 0 && s.in == 0;
        bar |= s.out == 4 && s.in == 4;
        baz |= s.out == 8 && s.in == 8;
        let |= s.out == 27 && s.in == 28;
        x |= s.out == 31 && s.in == 32;
    }
    KT_CHECK(foo && bar && baz && let && x);
    /* Copies are exact: the string split around its escape, the regex; the
     * number lost its separator, so it is no copy. */
    KT_EQ_INT(map.ncopies, 3);
    for (size_t i = 0; i < map.ncopies; i++) {
        struct kb_jsprint_copy c = map.copies[i];
        KT_CHECK(memcmp(out.data + c.out, src + c.in_start, c.in_end - c.in_start) == 0);
        if (i)
            KT_CHECK(c.out >= map.copies[i - 1].out);
    }
    KT_EQ_INT(map.copies[0].in_start, 13);
    KT_EQ_INT(map.copies[0].in_end, 15);
    KT_EQ_INT(map.copies[1].in_start, 18);
    KT_EQ_INT(map.copies[2].out, 33);
    /* Readable output maps its statements too. */
    KT_EQ_STR(print_node(ast.program, src, 9999, false),
              "foo(bar.baz, 'q\xe2\x80\xa8r', 1_0);\nlet x = /re/g;\n");
    bool second = false;
    for (size_t i = 0; i < map.nsegs; i++)
        second |= map.segs[i].out == 28 && map.segs[i].in == 28;
    KT_CHECK(second);
}

static void
t_deep_trees_fail_cleanly(void)
{
    KT_EQ_STR(parse("x", true), "ok");
    struct kb_jsn *n = mk_ident("x");
    for (int i = 0; i < 100000; i++)
        n = mk2(KB_JSN_UNARY, KB_JS_OP_NOT, n, NULL);
    struct kb_jsprint_opts o = { "", 0, 9999, true };
    kc_buf_free(&out);
    kc_buf_init(&out, 1u << 30);
    KT_EQ_INT(kb_jsprint(n, &o, &out, NULL), KC_ETOOBIG);
    /* Just below the limit the stack holds, also for binary operands. */
    n = mk_ident("x");
    for (int i = 0; i < 3990; i++)
        n = mk2(KB_JSN_BINARY, KB_JS_OP_MINUS, mk_ident("a"), n);
    KT_EQ_INT(kb_jsprint(n, &o, &out, NULL), 0);
    /* The deepest trees the parser builds print: for each shape, the
     * deepest nesting it accepts. */
    static const struct {
        const char *open, *mid, *close;
    } shapes[] = {
        { "[", "x", "]" },
        { "(", "x", ")" },
        { "!", "x", "" },
        { "a.", "x", "" },
        { "a=", "x", "" },
        { "a?b:", "x", "" },
        { "f(", "x", ")" },
        { "if(a)", "x", "" },
        { "{", "x", "}" },
        { "()=>", "x", "" },
        { "a+(", "x", ")" },
        { "x[", "x", "]" },
        { "function f(){", "", "}" },
        { "a**", "x", "" },
        { "`${", "x", "}`" },
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        size_t lo = strlen(shapes[s].open), hi = strlen(shapes[s].close);
        char *src = malloc(KB_JSAST_DEPTH_MAX * (lo + hi) + 16);
        const char *res = "none parsed";
        for (size_t depth = KB_JSAST_DEPTH_MAX; depth > 0; depth--) {
            char *w = src;
            for (size_t i = 0; i < depth; i++, w += lo)
                memcpy(w, shapes[s].open, lo);
            w += sprintf(w, "%s", shapes[s].mid);
            for (size_t i = 0; i < depth; i++, w += hi)
                memcpy(w, shapes[s].close, hi);
            *w = 0;
            if (strcmp(parse(src, false), "ok") == 0) {
                res = print_node(ast.program, src, 9999, true);
                break;
            }
        }
        if (strncmp(res, "error", 5) == 0 || strcmp(res, "none parsed") == 0)
            KT_FAIL_("%s...: %s", shapes[s].open, res);
        free(src);
    }
    /* out's maximum is the printer's too. */
    KT_EQ_STR(parse("aaaaaaaaaa + bbbbbbbbbb", true), "ok");
    kc_buf_free(&out);
    kc_buf_init(&out, 8);
    KT_EQ_INT(kb_jsprint(ast.program, &o, &out, NULL), KC_ETOOBIG);
}

/* ---- The round trip over a corpus ---- */

struct rt_stats {
    unsigned files, parsed, failed;
};

/* The tree's dump; below ES2021 without '_' (numeric separators leave
 * BigInt digits, which the dump shows as written). */
static char *
dump_of(const struct kb_jsn *n, int target)
{
    size_t need = kb_jsast_dump(n, NULL, 0) + 1;
    char *d = malloc(need);
    if (d)
        kb_jsast_dump(n, d, need);
    if (d && target < 2021) {
        size_t w = 0;
        for (size_t r = 0; d[r]; r++)
            if (d[r] != '_')
                d[w++] = d[r];
        d[w] = 0;
    }
    return d;
}

/* Why printing src (parsed as module or script) does not round-trip, or NULL. */
static const char *
round_trip(const char *src, size_t len, bool module, int target, bool compact)
{
    static char why[512];
    struct kb_jsast a, b;
    struct kc_diag d;
    if (kb_jsast_parse(src, len, module, &a, &d) != 0)
        return NULL;
    struct kb_jsprint_opts o = { src, len, target, compact };
    struct kc_buf text;
    kc_buf_init(&text, 1u << 30);
    struct kb_jsprint_map m = { 0 };
    const char *res = NULL;
    int rc = kb_jsprint(a.program, &o, &text, &m);
    if (rc) {
        snprintf(why, sizeof why, "print failed: %d", rc);
        res = why;
        goto out;
    }
    if (!text.data && kc_buf_append(&text, "", 0) != 0)
        goto out;
    for (size_t i = 1; i < m.nsegs && !res; i++)
        if (m.segs[i].out < m.segs[i - 1].out)
            res = "segments out of order";
    for (size_t i = 0; i < m.ncopies && !res; i++) {
        struct kb_jsprint_copy c = m.copies[i];
        if (c.in_end > len || c.out + (c.in_end - c.in_start) > text.len ||
            memcmp(text.data + c.out, src + c.in_start, c.in_end - c.in_start) != 0 ||
            (i && c.out < m.copies[i - 1].out))
            res = "a copy is not exact";
    }
    if (res)
        goto out;
    if (kb_jsast_parse(text.data, text.len, module, &b, &d) != 0) {
        snprintf(why, sizeof why, "output does not parse: %u:%u: %s: %.200s", d.line, d.col, d.msg,
                 text.data);
        res = why;
        goto out;
    }
    char *da = dump_of(a.program, target), *db = dump_of(b.program, target);
    if (!da || !db || strcmp(da, db) != 0) {
        size_t i = 0;
        while (da && db && da[i] && da[i] == db[i])
            i++;
        snprintf(why, sizeof why, "trees differ at %zu: %.80s | %.80s", i, da ? da + i : "",
                 db ? db + i : "");
        res = why;
    }
    /* Printing the printed text again changes nothing. */
    if (!res) {
        struct kb_jsprint_opts o2 = { text.data, text.len, target, compact };
        struct kc_buf again;
        kc_buf_init(&again, 1u << 30);
        if (kb_jsprint(b.program, &o2, &again, NULL) != 0 || again.len != text.len ||
            (text.len && memcmp(again.data, text.data, text.len) != 0))
            res = "printing the output again gives other text";
        kc_buf_free(&again);
    }
    free(da);
    free(db);
    kb_jsast_free(&b);
out:
    kb_jsprint_map_free(&m);
    kc_buf_free(&text);
    kb_jsast_free(&a);
    return res;
}

static bool
has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static void
rt_file(const char *path, struct rt_stats *st)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    struct kc_buf b;
    kc_buf_init(&b, 64u << 20);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kc_buf_append(&b, chunk, n) != 0)
            break;
    fclose(f);
    st->files++;
    const char *src = b.data ? b.data : "";
    /* test262-parser-tests names its modules *.module.js; other files are
     * tried as a module, then as a script. */
    bool modes[2] = { true, false };
    int nmodes = has_suffix(path, ".module.js") ? 1 : 2;
    if (strstr(path, "test262-parser-tests") && nmodes == 2) {
        modes[0] = false;
        nmodes = 1;
    }
    for (int i = 0; i < nmodes; i++) {
        struct kb_jsast a;
        struct kc_diag d;
        if (kb_jsast_parse(src, b.len, modes[i], &a, &d) != 0)
            continue;
        kb_jsast_free(&a);
        st->parsed++;
        static const struct {
            int target;
            bool compact;
        } runs[] = { { 9999, true }, { 9999, false }, { 5, true } };
        for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
            const char *why = round_trip(src, b.len, modes[i], runs[r].target, runs[r].compact);
            if (why) {
                if (st->failed++ < 20)
                    printf("#   %s (%s, %s, target %d): %s\n", path, modes[i] ? "module" : "script",
                           runs[r].compact ? "compact" : "readable", runs[r].target, why);
                break;
            }
        }
        break;
    }
    kc_buf_free(&b);
}

/* Walks path for .js, .mjs and .cjs files; skip_nm skips node_modules
 * folders (the default corpus: tests/'s own fixtures). */
static void
rt_walk(const char *path, struct rt_stats *st, int depth, bool skip_nm)
{
    struct stat sb;
    if (depth > 32 || stat(path, &sb) != 0)
        return;
    if (!S_ISDIR(sb.st_mode)) {
        if (has_suffix(path, ".js") || has_suffix(path, ".mjs") || has_suffix(path, ".cjs"))
            rt_file(path, st);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.' || (skip_nm && strcmp(e->d_name, "node_modules") == 0))
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rt_walk(sub, st, depth + 1, skip_nm);
    }
    closedir(dir);
}

static int rt_argc;
static char **rt_argv;

static void
t_round_trip_over_the_corpus(void)
{
    struct rt_stats st = { 0 };
    if (rt_argc > 1) {
        for (int i = 1; i < rt_argc; i++)
            rt_walk(rt_argv[i], &st, 0, false);
    } else {
        /* Every fixture under tests/, and the conformance corpus when make
         * test has installed it (its node_modules is skipped by the walk). */
        rt_walk("tests", &st, 0, true);
        static const char *const js262[] = { "pass", "pass-explicit", "fail", "early" };
        for (size_t i = 0; i < sizeof js262 / sizeof *js262; i++) {
            char dir[256];
            snprintf(dir, sizeof dir, "tests/js262/node_modules/test262-parser-tests/%s", js262[i]);
            rt_walk(dir, &st, 0, true);
        }
    }
    printf("#   round trip: %u files, %u parsed, %u failed\n", st.files, st.parsed, st.failed);
    KT_EQ_INT(st.failed, 0);
    KT_CHECK(st.parsed > 0);
}

int
main(int argc, char **argv)
{
    rt_argc = argc;
    rt_argv = argv;
    if (argc == 1) {
        KT_RUN(t_precedence_prints_only_needed_parentheses,
               "operators print parentheses only where precedence needs them");
        KT_RUN(t_new_and_call_callees, "new callees with calls are parenthesized");
        KT_RUN(t_optional_chains_keep_their_extent, "optional chains keep their extent");
        KT_RUN(t_statement_starts_that_need_parentheses,
               "function, class, { and let at a statement start get parentheses");
        KT_RUN(t_arrow_functions, "arrow functions: parameters and object bodies");
        KT_RUN(t_tokens_never_run_together, "adjacent tokens never merge into others");
        KT_RUN(t_in_inside_a_for_head_is_parenthesized, "'in' inside a for head is parenthesized");
        KT_RUN(t_for_heads, "for heads: declarations, let, async, for await");
        KT_RUN(t_dangling_else_and_statement_bodies,
               "statements, bodies and the dangling else; readable layout");
        KT_RUN(t_return_throw_and_friends_keep_their_operand,
               "return and throw keep their operand on their line");
        KT_RUN(t_functions_classes_and_objects, "functions, classes, objects and patterns");
        KT_RUN(t_templates_and_literals, "templates and literals are copied verbatim");
        KT_RUN(t_directive_prologues, "directives stay directives and strings do not become ones");
        KT_RUN(t_modules, "import and export forms");
        KT_RUN(t_lowering_by_target,
               "literals lowered by target: separators, 0b/0o, \\u{}, U+2028");
        KT_RUN(t_synthesized_numbers_print_from_their_value,
               "synthesized numbers print shortest and negative ones as unary minus");
        KT_RUN(t_synthesized_strings_and_literals,
               "synthesized strings, regexes, BigInts and template pieces");
        KT_RUN(t_synthesized_trees_get_parentheses_from_their_shape,
               "synthesized trees get parentheses from their shape");
        KT_RUN(t_map_records_segments_and_exact_copies,
               "the map has ordered segments and exact copies");
        KT_RUN(t_deep_trees_fail_cleanly, "too deep a tree or too small a buffer fails cleanly");
    }
    KT_RUN(t_round_trip_over_the_corpus, "parse, print, parse: the same tree, over the corpus");
    kb_jsast_free(&ast);
    kc_buf_free(&out);
    kb_jsprint_map_free(&map);
    return kt_done();
}
