#!/usr/bin/env node
// Copies the README's screenshots from the last UI test run (test-results/, written by test/ui/*.test.ts)
// into docs/screenshots/, so the pictures in the README are always the real extension in a real VS Code.
// Run after `node test/run.mjs ui` (or `npm test`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = [
  'registries-welcome', 'connect-registry-kinds', 'registries-load-more', 'registries-platforms', 'registries-filter', 'registries-401',
  'registries-referrers', 'operations-pull-progress', 'operations-delete-shared', 'operations-search', 'operations-local-images',
  'registries-harbor', 'harbor-vulnerabilities', 'registries-quay', 'registries-artifactory',
  'registries-ecr', 'ecr-vulnerabilities', 'registries-acr', 'registries-artifact-registry',
  'image-details-dark', 'image-details-light', 'image-details-sbom', 'image-details-compare',
  'l10n-qps-ploc',
];
const missing = [];
for (const name of shots) {
  const from = path.join(root, 'test-results', `${name}.png`);
  if (!fs.existsSync(from)) {
    missing.push(name);
    continue;
  }
  fs.copyFileSync(from, path.join(root, 'docs', 'screenshots', `${name}.png`));
}
if (missing.length) {
  console.error(`not in test-results/ (run the UI tests first): ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`copied ${shots.length} screenshots into docs/screenshots/`);
