// The esbuild options for the two bundles, shared by `npm run build` (scripts/build.mjs) and the
// bench (bench/run.mjs), so the bench always measures what ships.
import fs from 'node:fs';

/**
 * undici's Client loads its HTTP/2 half (and with it node:http2, ~1.5 ms of every `regx` start) at
 * require time, though it is only called when a server negotiates h2, which this project never
 * offers (allowH2 stays off). Load it on that first call instead. undici is pinned to an exact
 * version; if the line moves, the build fails here rather than silently loading it eagerly.
 */
const lazyUndiciHttp2 = {
  name: 'lazy-undici-http2',
  setup(build) {
    build.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/ }, (args) => {
      const eager = "const connectH2 = require('./client-h2.js')";
      const source = fs.readFileSync(args.path, 'utf8');
      if (!source.includes(eager)) throw new Error(`${args.path}: expected "${eager}" (undici changed: update scripts/bundles.mjs)`);
      return { contents: source.replace(eager, "const connectH2 = (...args) => require('./client-h2.js')(...args)"), loader: 'js' };
    });
  },
};

/**
 * Node modules that undici and @vscode/l10n load at require time but use only on a rare path, loaded
 * on that path instead (a `regx` start loads neither): undici calls node:assert only as `assert(x)`,
 * whose module (with its error and diff helpers) is needed only when an assertion fails; @vscode/l10n
 * reads a bundle with fs/promises only when given a file: URI (with it come readline and the file
 * watchers). Both are pinned to exact versions; if their source moves, the build fails here.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:assert$/ }, (args) => (/[\\/]undici[\\/]/.test(args.importer) ? { path: 'lazy-assert', namespace: 'lazy-builtins' } : undefined));
    build.onLoad({ filter: /^lazy-assert$/, namespace: 'lazy-builtins' }, () => ({
      contents: "module.exports = function assert(value, message) { if (!value) require('node:assert')(value, message); };",
      loader: 'js',
      resolveDir: '.',
    }));
    build.onLoad({ filter: /[\\/]@vscode[\\/]l10n[\\/]dist[\\/]main\.js$/ }, (args) => {
      const eager = 'var import_promises = require("fs/promises");';
      const source = fs.readFileSync(args.path, 'utf8');
      if (!source.includes(eager)) throw new Error(`${args.path}: expected '${eager}' (@vscode/l10n changed: update scripts/bundles.mjs)`);
      return { contents: source.replace(eager, 'var import_promises = { readFile: (...args) => require("fs/promises").readFile(...args) };'), loader: 'js' };
    });
  },
};

/**
 * Each cloud's SDK code (src/registries/clouds/cloud-<name>.ts) is a bundle of its own, required on
 * first use (src/registries/clouds/load.ts): the main bundles keep `require('./cloud-<name>')` as it
 * is, and it resolves to dist/cloud-<name>.js beside them.
 */
const CLOUDS = ['aws', 'azure', 'google'];
const cloudsApart = {
  name: 'clouds-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/cloud-(aws|azure|google)$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * The extension's undici (src/distribution/undiciParts.ts) is a bundle of its own, dist/undiciParts.js,
 * required on the first connection (src/distribution/undici.ts): activation and the views' first paint
 * never parse it or compile its WebAssembly HTTP parser. regx keeps it inside its own bundle, which it
 * loads through V8's code cache and needs on every run.
 */
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/undiciParts$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * Bench only (bench/editor/): src/benchProbe.ts is dist/benchProbe.js, required by activate() only when
 * REGX_BENCH_PROBE is set, and not in the .vsix (.vscodeignore is an allowlist).
 */
const benchProbeApart = {
  name: 'bench-probe-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/benchProbe$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * The Image Details webview (src/webview/details/) is browser code, a bundle of its own that the
 * extension never imports: its script, its CSS, and the codicon font that vscode-icon needs, all in
 * dist/webview/, the panel's only localResourceRoot.
 */
const codiconFiles = {
  name: 'codicon-files',
  setup(build) {
    build.onEnd(() => {
      fs.mkdirSync('dist/webview', { recursive: true });
      for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/${file}`);
    });
  },
};

export function bundleOptions({ production }) {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'warning',
    external: ['vscode'],
    plugins: [lazyUndiciHttp2, lazyBuiltins, cloudsApart],
  };
  const clouds = Object.fromEntries(
    CLOUDS.filter((name) => fs.existsSync(`src/registries/clouds/cloud-${name}.ts`)).map((name) => [
      `cloud-${name}`,
      { ...common, entryPoints: [`src/registries/clouds/cloud-${name}.ts`], outfile: `dist/cloud-${name}.js` },
    ]),
  );
  return {
    ...clouds,
    extension: { ...common, plugins: [...common.plugins, undiciApart, benchProbeApart], entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
    undiciParts: { ...common, entryPoints: ['src/distribution/undiciParts.ts'], outfile: 'dist/undiciParts.js' },
    benchProbe: { ...common, entryPoints: ['src/benchProbe.ts'], outfile: 'dist/benchProbe.js' },
    // `regx` is two files: the executable (src/cli/launch.ts, no project imports) runs the CLI
    // bundle through V8's code cache.
    cliLauncher: { ...common, plugins: [], entryPoints: ['src/cli/launch.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
    cli: { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-core.js' },
    detailsWebview: {
      bundle: true,
      platform: 'browser',
      target: 'chrome120',
      format: 'iife',
      minify: production,
      sourcemap: !production,
      sourcesContent: false,
      logLevel: 'warning',
      entryPoints: ['src/webview/details/main.ts'],
      outfile: 'dist/webview/details.js',
      plugins: [codiconFiles],
    },
  };
}
