// Other ways to start the same regx bundle, built by the bench beside the launcher it ships, so one
// run times all of them (README "Performance"):
//
//   sea       a single executable (Node's SEA: a copy of this node binary with the bundle injected by
//             postject), with `useCodeCache`: V8's code cache of the bundle made at build time.
//   snapshot  Node's start-up snapshot (`node --snapshot-blob X --build-snapshot`) holding the bundle
//             already evaluated, run as `node --snapshot-blob X -- ARGS`.
//
// Each build either returns how to run it or says why it cannot be built with this Node; the bench
// reports that instead of a number.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The CommonJS wrapper Node puts around a module, around the bundle's text. */
function wrapped(bundleFile, head, call) {
  const source = fs.readFileSync(bundleFile, 'utf8');
  return `${head}\nconst core = { exports: {} };\nconst bundle = function (exports, require, module, __filename, __dirname) {\n${source}\n};\n${call}\n`;
}

function failure(what, result) {
  // V8 names the object it could not write only by its properties: say which.
  const handle = /global handle not serialized[^\n]*\n([\s\S]*?)\n \}/.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (handle) return `${what}: V8 cannot write a native object into the snapshot (one with ${[...handle[1].matchAll(/#(\w+):/g)].map((m) => m[1]).join(', ')}: node:http's parser binding, which undici loads)`;
  const text = `${result.error?.message ?? ''}${result.stderr ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => l && !/^(\(node:\d+\) Warning|It may still work|To request support|\(Use `node)/.test(l));
  return `${what}: ${text.slice(0, 2).join(' ').slice(0, 240) || `exit ${result.status}`}`;
}

/**
 * SEA with the code cache. Cloud bundles and package.json are found beside the executable's folder's
 * parent, as the launcher finds them beside dist/.
 */
export function buildSea(buildDir, { postject }) {
  if (!fs.existsSync(postject)) return { unavailable: `postject not installed (${postject})` };
  const dir = path.join(buildDir, 'sea');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const main = path.join(dir, 'main.js');
  fs.writeFileSync(main, wrapped(path.join(buildDir, 'cli-core.js'),
    "require('node:v8').setFlagsFromString('--liftoff-only');\nconst { createRequire } = require('node:module');\nconst path = require('node:path');\nconst file = path.join(path.dirname(process.execPath), 'cli-core.js');",
    'bundle(core.exports, createRequire(file), core, file, path.dirname(process.execPath));\ncore.exports.main();'));
  const config = path.join(dir, 'sea-config.json');
  const blob = path.join(dir, 'sea.blob');
  fs.writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  let r = spawnSync(process.execPath, ['--experimental-sea-config', config], { encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(blob)) return { unavailable: failure('node --experimental-sea-config', r) };
  const exe = path.join(dir, 'regx');
  fs.copyFileSync(process.execPath, exe);
  fs.chmodSync(exe, 0o755);
  r = spawnSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { encoding: 'utf8' });
  if (r.status !== 0) return { unavailable: failure('postject', r) };
  return { command: exe, args: [], bytes: fs.statSync(exe).size };
}

/**
 * The start-up snapshot. undici compiles its HTTP parser (WebAssembly) when its module loads, which
 * a snapshot cannot hold, so the snapshot's bundle compiles it on the first connection instead.
 */
export function buildSnapshot(buildDir) {
  const dir = path.join(buildDir, 'snapshot');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'entry.js');
  const core = path.join(buildDir, 'cli-core.js');
  let text = wrapped(core,
    // Node 20's snapshot builder lacks Array.prototype.toSorted, which node:http uses as it loads.
    "if (!Array.prototype.toSorted) Object.defineProperty(Array.prototype, 'toSorted', { value(compare) { return [...this].sort(compare); }, configurable: true, writable: true });\nconst v8 = require('node:v8');",
    `bundle(core.exports, require, core, ${JSON.stringify(core)}, ${JSON.stringify(buildDir)});\nv8.startupSnapshot.setDeserializeMainFunction(() => {\n  v8.setFlagsFromString('--liftoff-only');\n  process.argv.splice(1, 0, 'regx');\n  core.exports.main();\n});`);
  // Minified undici: `INSTANCE=null,PROMISE=COMPILE();PROMISE.catch();` and, on connect, `INSTANCE||(INSTANCE=await PROMISE,PROMISE=null)`.
  const eager = /(\w+)=null,(\w+)=(\w+)\(\);\2\.catch\(\);/.exec(text);
  if (!eager) return { unavailable: "undici's eager llhttp compile not found in the bundle (undici changed: update bench/lib/variants.mjs)" };
  const [all, instance, promise, compile] = eager;
  text = text.replace(all, `${instance}=null,${promise}=null;`).replace(`${instance}||(${instance}=await ${promise},${promise}=null)`, `${instance}||(${instance}=await (${promise}??${compile}()),${promise}=null)`);
  fs.writeFileSync(entry, text);
  const blob = path.join(dir, 'regx.blob');
  const r = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], { encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(blob)) return { unavailable: failure('node --build-snapshot', r) };
  return { command: process.execPath, args: ['--snapshot-blob', blob, '--'], bytes: fs.statSync(blob).size };
}
