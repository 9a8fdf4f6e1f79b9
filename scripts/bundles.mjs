// The esbuild options for the two bundles, shared by `npm run build` (scripts/build.mjs) and the
// bench (bench/run.mjs), so the bench always measures what ships.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

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
 * Parts of the extension that most sessions never run, each a bundle of its own that the extension
 * requires on first use: the error words (needed once something fails), the Image Details reader and
 * a build's context reader (.dockerignore, tar). The source keeps a plain `require('<module>')` of the
 * entry (src/errors/describe.ts, src/vscode/details/imageDetailsPanels.ts, src/vscode/build/buildRun.ts),
 * which regx's bundle and the compiled tests resolve as usual.
 */
const LAZY_BUNDLES = [
  { entry: 'src/errors/words.ts', outfile: 'dist/errorWords.js' },
  { entry: 'src/details/index.ts', outfile: 'dist/imageDetails.js' },
  { entry: 'src/docker/buildContext.ts', outfile: 'dist/buildContext.js' },
];

/**
 * A lazy bundle must not carry copies of modules the main bundle holds: its `instanceof` would test
 * other classes than the ones thrown, and its @vscode/l10n would lack the bundle activate() gave the
 * main one. So the build first learns which modules the main bundle holds; every import a lazy bundle
 * makes of one of them is `require('./extension.js').__shared[i]`, the main bundle's own module
 * (Node's require cache returns the loaded main bundle), and the main bundle exports those modules,
 * in the same order, as __shared. One plan per working directory serves all the builds.
 */
const plans = new Map();

/** The plan for the main bundle built with `mainOptions` (without this file's lazy plugins) in `cwd`. */
function lazyPlan(mainOptions, cwd) {
  const key = `${cwd}\0${mainOptions.minify}`;
  if (!plans.has(key)) plans.set(key, makePlan(mainOptions, cwd));
  return plans.get(key);
}

async function makePlan(mainOptions, cwd) {
  const probe = { ...mainOptions, absWorkingDir: cwd, write: false, metafile: true, sourcemap: false, outfile: undefined, outdir: path.join(cwd, 'dist') };
  const main = await esbuild.build({ ...probe, plugins: [...mainOptions.plugins, requireLazyApart(cwd)] });
  const mainModules = new Set(Object.keys(main.metafile.inputs).map((file) => path.resolve(cwd, file)));
  const shared = new Set();
  for (const lazy of LAZY_BUNDLES) {
    await esbuild.build({ ...probe, entryPoints: [lazy.entry], plugins: [...mainOptions.plugins, takeFromMain({ mainModules, shared: [] }, (file) => shared.add(file))] });
  }
  return { mainModules, shared: [...shared].sort() };
}

/** Resolves an import with the other plugins (without these two), or undefined for what they leave alone. */
async function resolveOthers(build, args) {
  if (args.pluginData?.lazyBundles || args.namespace !== 'file') return undefined;
  const result = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { lazyBundles: true } });
  return result.errors.length || result.external ? undefined : result;
}

/** In the main bundle: `require()` of a lazy bundle's entry stays a require of its file beside it. */
function requireLazyApart(cwd) {
  const entries = new Map(LAZY_BUNDLES.map((lazy) => [path.resolve(cwd, lazy.entry), `./${path.basename(lazy.outfile)}`]));
  return {
    name: 'require-lazy-apart',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        const result = await resolveOthers(build, args);
        const file = result && entries.get(result.path);
        if (!file) return undefined;
        if (args.kind !== 'require-call') return { errors: [{ text: `${path.relative(cwd, result.path)} is a bundle of its own (scripts/bundles.mjs): require() it where it is used, do not import it` }] };
        return { path: file, external: true };
      });
    },
  };
}

/** In a lazy bundle: every module the main bundle holds is taken from it (`note` records which). */
function takeFromMain(plan, note) {
  return {
    name: 'take-from-main',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        const result = await resolveOthers(build, args);
        if (!result || !plan.mainModules.has(result.path)) return undefined;
        note?.(result.path);
        const index = plan.shared.indexOf(result.path);
        if (!note && index < 0) return { errors: [{ text: `${result.path} is not in the build's plan` }] };
        return { path: String(index), namespace: 'main-bundle' };
      });
      build.onResolve({ filter: /^\.\/extension\.js$/, namespace: 'main-bundle' }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: 'main-bundle' }, (args) => ({ contents: `module.exports = require('./extension.js').__shared[${args.path}];`, loader: 'js' }));
    },
  };
}

/** The main bundle: the lazy bundles' entries stay apart, and it exports what they take from it. */
const lazyBundlesApart = (mainOptions) => ({
  name: 'lazy-bundles-apart',
  setup(build) {
    const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
    requireLazyApart(cwd).setup(build);
    let plan;
    build.onStart(async () => {
      plan = await lazyPlan(mainOptions, cwd);
    });
    build.onLoad({ filter: /[\\/]src[\\/]extension\.ts$/ }, async (args) => ({
      contents: `${await fs.promises.readFile(args.path, 'utf8')}\nexport { default as __shared } from 'lazy-bundles:shared';\n`,
      loader: 'ts',
    }));
    build.onResolve({ filter: /^lazy-bundles:shared$/ }, () => ({ path: 'shared', namespace: 'lazy-bundles' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-bundles' }, () => ({
      contents: `${plan.shared.map((file, i) => `import * as m${i} from ${JSON.stringify(file)};`).join('\n')}\nexport default [${plan.shared.map((_, i) => `m${i}`).join(', ')}];\n`,
      loader: 'js',
      resolveDir: cwd,
    }));
  },
});

/** A lazy bundle: what the main bundle holds comes from it. */
const fromMainBundle = (mainOptions) => ({
  name: 'from-main-bundle',
  setup(build) {
    const live = { mainModules: new Set(), shared: [] };
    build.onStart(async () => {
      Object.assign(live, await lazyPlan(mainOptions, build.initialOptions.absWorkingDir ?? process.cwd()));
    });
    takeFromMain(live).setup(build);
  },
});

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
  const main = { ...common, plugins: [...common.plugins, undiciApart, benchProbeApart], entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' };
  const clouds = Object.fromEntries(
    CLOUDS.filter((name) => fs.existsSync(`src/registries/clouds/cloud-${name}.ts`)).map((name) => [
      `cloud-${name}`,
      { ...common, entryPoints: [`src/registries/clouds/cloud-${name}.ts`], outfile: `dist/cloud-${name}.js` },
    ]),
  );
  return {
    ...clouds,
    extension: { ...main, plugins: [...main.plugins, lazyBundlesApart(main)] },
    undiciParts: { ...common, entryPoints: ['src/distribution/undiciParts.ts'], outfile: 'dist/undiciParts.js' },
    ...Object.fromEntries(
      LAZY_BUNDLES.map((lazy) => [path.basename(lazy.outfile, '.js'), { ...common, plugins: [...common.plugins, undiciApart, fromMainBundle(main)], entryPoints: [lazy.entry], outfile: lazy.outfile }]),
    ),
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
