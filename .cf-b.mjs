import * as esbuild from 'esbuild';
import { bundleOptions } from './scripts/bundles.mjs';
const { cli, cliLauncher } = bundleOptions({ production: true });
const d = process.argv[2];
await esbuild.build({ ...cli, outfile: `/tmp/cf/${d}/cli-core.js` });
await esbuild.build({ ...cliLauncher, outfile: `/tmp/cf/${d}/cli.js` });
