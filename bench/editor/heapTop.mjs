#!/usr/bin/env node
// Reads a V8 heap snapshot (the bench probe's /heapsnapshot, REGX_BENCH_HEAP_SNAPSHOT=file) and prints what
// holds the most memory by node type and name (self sizes): where to look for a leak.
//   node bench/editor/heapTop.mjs FILE [N]
import fs from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
const width = fields.length;
const at = (f) => fields.indexOf(f);
const [iType, iName, iSize] = [at('type'), at('name'), at('self_size')];
const groups = new Map();
let total = 0;
for (let i = 0; i < snapshot.nodes.length; i += width) {
  const type = types[snapshot.nodes[i + iType]];
  const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '(strings)' : snapshot.strings[snapshot.nodes[i + iName]];
  const key = `${type} ${name}`.slice(0, 100);
  const size = snapshot.nodes[i + iSize];
  total += size;
  const g = groups.get(key) ?? { count: 0, size: 0 };
  g.count++;
  g.size += size;
  groups.set(key, g);
}
console.log(`total ${(total / 2 ** 20).toFixed(1)} MB in ${snapshot.nodes.length / width} nodes`);
for (const [key, g] of [...groups].sort((a, b) => b[1].size - a[1].size).slice(0, Number(top))) {
  console.log(`${(g.size / 2 ** 20).toFixed(1).padStart(8)} MB ${String(g.count).padStart(9)}  ${key}`);
}
