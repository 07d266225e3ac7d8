import expr from './expr.js';
import anonFn from './anon-fn.js';
import AnonClass from './anon-class.js';
import named, { other } from './named.js';
import * as ns from './named.js';
import paren from './paren.js';
import ParenClass, { after } from './paren-class.js';
__log.push('expr ' + expr);
__log.push('anonFn ' + anonFn() + ' name=' + anonFn.name);
__log.push('AnonClass name=' + AnonClass.name + ' ' + new AnonClass().v);
__log.push('named ' + named() + ' name=' + named.name + ' ' + other);
__log.push('ns keys ' + Object.keys(ns).join(','));
__log.push('ns tag ' + Object.prototype.toString.call(ns) + ' proto ' + Object.getPrototypeOf(ns));
__log.push('ns default ' + (ns.default === named) + ' extensible ' + Object.isExtensible(ns));
let threw = false;
try { 'use strict'; ns.other = 1; } catch (e) { threw = e instanceof TypeError; }
__log.push('ns write throws ' + threw);
__log.push('paren ' + paren() + ' name=' + paren.name + ' class name=' + ParenClass.name + ' ' + after);
window.__done = true;
