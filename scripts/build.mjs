// Bundles the extension and the regx CLI with esbuild. `--production` minifies and drops source maps.
import * as esbuild from 'esbuild';
import { bundleOptions } from './bundles.mjs';

const { extension, cli } = bundleOptions({ production: process.argv.includes('--production') });
await Promise.all([esbuild.build(extension), esbuild.build(cli)]);
