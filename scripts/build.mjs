// Bundles the extension and the regx CLI with esbuild. `--production` minifies and drops source maps.
import * as esbuild from 'esbuild';
import { bundleOptions } from './bundles.mjs';

const bundles = bundleOptions({ production: process.argv.includes('--production') });
await Promise.all(Object.values(bundles).map((options) => esbuild.build(options)));
