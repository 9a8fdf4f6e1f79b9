// The cloud SDKs (AWS, Azure, Google) are large, and most people never connect a cloud registry, so
// each cloud's SDK code is its own bundle (dist/cloud-<name>.js, built by scripts/bundles.mjs), loaded
// on the first call that needs it — never at activation or at a `regx` start. In the compiled tests the
// same require finds the tsc output beside this file.
// PURE: no vscode imports.

/** The clouds with an SDK module of their own: src/registries/clouds/cloud-<name>.ts. */
export type CloudName = 'aws' | 'azure' | 'google';

const loaded = new Map<CloudName, unknown>();

/**
 * The cloud's module, required once. The literal './cloud-<name>' paths are kept out of the main
 * bundles by the build (an onResolve rule marks them external), so each resolves next to the bundle.
 */
export function loadCloudModule<T>(name: CloudName): T {
  let module = loaded.get(name);
  if (!module) {
    switch (name) {
      case 'aws':
        module = require('./cloud-aws');
        break;
      case 'azure':
        module = require('./cloud-azure');
        break;
      case 'google':
        module = require('./cloud-google');
        break;
    }
    loaded.set(name, module);
  }
  return module as T;
}
