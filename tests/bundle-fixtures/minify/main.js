// Syntax whose meaning hangs on whitespace, comments and line breaks: built
// with --minify-whitespace it must log exactly what the original logs.
import { tricky, counter } from './tricky.js';
import * as asi from './asi.js';

/* A block comment
   over several lines */
__log.push(tricky());
__log.push(asi.results.join(' | '));
let a = 5, b = 2, g = 3
let c = a
/b/g   // division, not a regular expression
__log.push('div ' + c)
let d = a - -b, e = a + +b, f = a - - - b, h = a++ + ++b
__log.push('ops ' + [d, e, f, h, a, b].join(','))
let i = counter
i
++
g
__log.push('update ' + i + ' ' + g)
__log.push(`template ${a /* inside */ + b} and ${`nested ${'x'   +   'y'}`}   spaced   `)
__log.push('string   with  spaces // not a comment /* nor this */')
__log.push(1 .toString() + 1.5.toFixed(1) + 0x10 .toString())
__log.push(typeof typeof a, void 0, !!a)
__log.push('</script' + '>' + ' <!-- x --> ' + (a -- > 0))
window.__done = true
