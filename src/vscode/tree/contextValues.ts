// The contextValue grammar that package.json's `when` clauses match: the node kind first, then
// ";"-separated flags, e.g. "registry;browsable;signedIn;filtered" or "error;unauthorized;retry".
// Menus test the kind with /^kind\b/ and a flag with /\bflag\b/, so flags can be added freely.

export type ContextFlag =
  | 'browsable' // can be filtered (has a paged list of children)
  | 'filtered' // a filter is active: offers Clear Filter
  | 'signedIn' // credentials stored in SecretStorage: offers Sign Out
  | 'docker' // the registry comes from `docker login`
  | 'multiPlatform'
  | 'scannable' // tag/platform: the registry keeps vulnerability scans (Show Vulnerabilities)
  | 'scanTrigger' // tag/platform: the registry scans on request (Scan Now)
  | 'creatable' // registry/namespace: repositories (Quay) or projects (Harbor) can be created in it
  | 'manageable' // namespace (a Harbor project) / repository (Quay): can be deleted with its contents
  | 'describable' // repository: its description can be edited
  | 'unauthorized' // error: Sign in… fixes it
  | 'retry' // error: Retry may fix it
  | 'settings' // error: a setting fixes it
  | 'signature' // referrer: what kind of artifact it is (artifactKinds.ts)
  | 'sbom'
  | 'attestation';

export function contextValue(kind: string, flags: (ContextFlag | false | undefined)[] = []): string {
  const set = [...new Set(flags.filter((f): f is ContextFlag => !!f))].sort();
  return [kind, ...set].join(';');
}
