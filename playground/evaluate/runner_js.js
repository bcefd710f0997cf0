// Sandbox runner (copied into the work directory): load solution.js, call the function on each
// case from cases.json, print the token only when every result matches. node's permission
// model (flags set by sandbox.py) limits file reads to this directory and forbids subprocesses.
"use strict";
const fs = require("fs");
const vm = require("vm");

const token = fs.readFileSync(0, "utf8").trim();
const { name, cases } = JSON.parse(fs.readFileSync("cases.json", "utf8"));
const source = fs.readFileSync("solution.js", "utf8");

// The function under the item's name, its camelCase form, or any top-level name that matches
// ignoring case and underscores (fizzbuzz / fizzBuzz): translations may follow JS naming style.
function candidates(name, source) {
  const loose = (n) => n.replace(/_/g, "").toLowerCase();
  const declared = [...source.matchAll(/(?:function\s*\*?\s*|(?:const|let|var)\s+)([A-Za-z_$][\w$]*)/g)].map((m) => m[1]);
  const camel = name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  return [name, camel, ...declared.filter((d) => loose(d) === loose(name))];
}

function same(a, b) {
  if (typeof a === "number" && typeof b === "number") {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return same(ka, kb) && ka.every((k) => same(a[k], b[k]));
  }
  return a === b;
}

// Answers sometimes end with `module.exports = ...`; give them something to assign to.
globalThis.module = { exports: {} };
globalThis.exports = globalThis.module.exports;
vm.runInThisContext(source, { filename: "solution.js" });
let fn;
for (const candidate of candidates(name, source)) {
  if (/^[A-Za-z_$][\w$]*$/.test(candidate)) {
    fn = vm.runInThisContext(`typeof ${candidate} === "function" ? ${candidate} : undefined`);
  }
  fn = fn || (typeof module.exports === "object" ? module.exports[candidate] : undefined);
  if (typeof fn === "function") break;
}
if (typeof fn !== "function") {
  console.error(`no function named ${name} (or a camelCase spelling of it) in the answer`);
  process.exit(1);
}
for (const [args, expected] of cases) {
  const actual = fn(...args);
  if (!same(actual, expected)) {
    const shown = JSON.stringify(args).slice(1, -1);
    console.error(`${name}(${shown}) returned ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    process.exit(1);
  }
}
process.stdout.write("\n" + token + "\n");
