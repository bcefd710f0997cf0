// Loaded into every QuickJS context before the code (playground/checks/javascript.py). __CAP__ is the output cap.
var __out = [], __size = 0, __cap = __CAP__;
function __fmt(x) { if (typeof x === 'string') return x; try { const s = JSON.stringify(x); return s === undefined ? String(x) : s; } catch (e) { return String(x); } }
function __write(...a) { const s = a.map(__fmt).join(' ') + '\n'; if (__size < __cap) __out.push(s.slice(0, __cap - __size)); __size += s.length; }
var console = {log: __write, error: __write, warn: __write, info: __write, debug: __write};
var module = {exports: {}}; var exports = module.exports;
function __take() { const s = __out.join(''); const d = __size - s.length; __out = []; __size = 0;
  return d > 0 ? s + '\n[... ' + d + ' more characters not kept]' : s; }
function __enc(v, depth) {
  depth = depth || 0;
  if (depth > 20) return {'$repr': '...'};
  if (v === undefined) return {'$undefined': true};
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : {'$float': Number.isNaN(v) ? 'nan' : (v > 0 ? 'inf' : '-inf')};
  if (typeof v === 'bigint') return {'$int': v.toString()};
  if (Array.isArray(v)) return v.slice(0, 1000).map(x => __enc(x, depth + 1));
  if (v instanceof Set) return {'$set': Array.from(v).slice(0, 1000).map(x => __enc(x, depth + 1))};
  if (v instanceof Map) return {'$dict': Array.from(v).slice(0, 1000).map(([k, x]) => [__enc(k, depth + 1), __enc(x, depth + 1)])};
  if (typeof v === 'function') return {'$repr': 'function ' + (v.name || '')};
  if (typeof v === 'object') { const o = {}; for (const k of Object.keys(v).slice(0, 1000)) o[k] = __enc(v[k], depth + 1); return o; }
  return {'$repr': String(v)};
}
function __dec(v) {
  if (Array.isArray(v)) return v.map(__dec);
  if (v && typeof v === 'object') {
    if ('$tuple' in v) return v['$tuple'].map(__dec);
    if ('$set' in v) return v['$set'].map(__dec);
    if ('$dict' in v) { const o = {}; for (const [k, x] of v['$dict']) o[String(__dec(k))] = __dec(x); return o; }
    if ('$float' in v) return v['$float'] === 'nan' ? NaN : (v['$float'].startsWith('-') ? -Infinity : Infinity);
    if ('$int' in v) return Number(v['$int']);
    const o = {}; for (const k of Object.keys(v)) o[k] = __dec(v[k]); return o;
  }
  return v;
}
function __result(ok, value, error) { return JSON.stringify({ok: ok, value: value, error: error, output: __take()}); }
function __error(e) { return {type: (e && e.name) || typeof e, message: String((e && e.message) || e).slice(0, 500)}; }
// A translated function named in another case (fizzbuzz -> fizzBuzz): the global function whose name is the same
// without underscores and case.
function __find(name) {
  const key = name.replace(/_/g, '').toLowerCase();
  for (const k of Object.getOwnPropertyNames(globalThis))
    if (k.replace(/_/g, '').toLowerCase() === key && typeof globalThis[k] === 'function') return globalThis[k];
  return undefined;
}
function __call(f, args) {
  if (typeof f !== 'function') return __result(false, null, {type: 'ReferenceError', message: 'no such function in the code'});
  try { return __result(true, __enc(f(...__dec(args)))); } catch (e) { return __result(false, null, __error(e)); }
}
function assert(ok, message) { if (!ok) throw new Error(message || 'assertion failed'); }
// Indirect eval runs the source in the global scope, where the code's functions are.
function __evaluate(source, show) {
  try { const v = (0, eval)(source); return __result(true, show ? __enc(v) : null); }
  catch (e) { return __result(false, null, __error(e)); }
}
