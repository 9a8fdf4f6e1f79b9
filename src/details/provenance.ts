// SLSA provenance read for what a person asks of it: who built the image, how, and from which
// source repository and revision. v0.2 (https://slsa.dev/spec/v0.2/provenance: builder.id,
// buildType, invocation.configSource, materials) and v1 (https://slsa.dev/spec/v1.0/provenance:
// runDetails.builder.id, buildDefinition.buildType / externalParameters / resolvedDependencies), plus
// what BuildKit adds (https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md:
// the vcs source and revision in its metadata) and GitHub Actions' workflow parameters.
import { isRecord } from '../distribution/json';
import type { AttestationInfo } from './model';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);
const rec = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

/** "git+https://github.com/o/r@refs/heads/main" → { repository: "https://github.com/o/r", ref: "refs/heads/main" }. */
export function splitGitUri(uri: string): { repository: string; ref?: string } | undefined {
  const isGit = uri.startsWith('git+') || /\.git(@|$)/.test(uri) || /^https:\/\/(github\.com|gitlab\.com)\//.test(uri);
  if (!isGit) return undefined;
  const bare = uri.replace(/^git\+/, '');
  const schemeEnd = bare.indexOf('://');
  const pathStart = bare.indexOf('/', schemeEnd < 0 ? 0 : schemeEnd + 3);
  // Only an "@" in the path starts a ref: one before it (ssh://git@host) is a user.
  const at = bare.lastIndexOf('@');
  if (pathStart >= 0 && at > pathStart && at < bare.length - 1) {
    return { repository: bare.slice(0, at).replace(/\.git$/, ''), ref: bare.slice(at + 1) };
  }
  return { repository: bare.replace(/\.git$/, '') };
}

/** A git commit among an in-toto DigestSet (https://github.com/in-toto/attestation/blob/main/spec/v1/digest_set.md). */
function gitCommit(digest: unknown): string | undefined {
  const d = rec(digest);
  return str(d.gitCommit) ?? str(d.sha1);
}

function fromBuildkitMetadata(metadata: Record<string, unknown>): { repository?: string; revision?: string } {
  const buildkit = rec(metadata['https://mobyproject.org/buildkit@v1#metadata'] ?? metadata.buildkit_metadata);
  const vcs = rec(buildkit.vcs);
  return { repository: str(vcs.source), revision: str(vcs.revision) };
}

/** The first git material / dependency: repository and commit. */
function fromGitDependencies(list: unknown): { repository?: string; revision?: string } {
  for (const item of Array.isArray(list) ? list : []) {
    const uri = str(rec(item).uri);
    const git = uri ? splitGitUri(uri) : undefined;
    if (git) return { repository: git.repository, revision: gitCommit(rec(item).digest) };
  }
  return {};
}

function pick(...sources: Array<{ repository?: string; revision?: string }>): { repository?: string; revision?: string } {
  return { repository: sources.find((s) => s.repository)?.repository, revision: sources.find((s) => s.revision)?.revision };
}

/** What a provenance predicate says; undefined fields where it does not say. */
export function readProvenance(predicateType: string, predicate: unknown, digest: string): AttestationInfo {
  const p = rec(predicate);
  const info: AttestationInfo = { predicateType, digest };
  let source: { repository?: string; revision?: string } = {};
  if (predicateType.startsWith('https://slsa.dev/provenance/v1')) {
    const definition = rec(p.buildDefinition);
    const run = rec(p.runDetails);
    const external = rec(definition.externalParameters);
    const workflow = rec(external.workflow);
    const configSource = rec(external.configSource);
    set(info, 'builder', str(rec(run.builder).id));
    set(info, 'buildType', str(definition.buildType));
    set(info, 'entryPoint', str(workflow.path) ?? str(configSource.path) ?? str(rec(external.request).frontend));
    const configGit = str(configSource.uri) ? splitGitUri(str(configSource.uri) as string) : undefined;
    source = pick(
      fromBuildkitMetadata(rec(run.metadata)),
      { repository: str(workflow.repository), revision: undefined },
      { repository: configGit?.repository, revision: gitCommit(configSource.digest) },
      fromGitDependencies(definition.resolvedDependencies),
    );
  } else {
    // v0.1 and v0.2 share these fields.
    const invocation = rec(p.invocation);
    const configSource = rec(invocation.configSource);
    set(info, 'builder', str(rec(p.builder).id));
    set(info, 'buildType', str(p.buildType));
    set(info, 'entryPoint', str(configSource.entryPoint));
    const configGit = str(configSource.uri) ? splitGitUri(str(configSource.uri) as string) : undefined;
    source = pick(
      fromBuildkitMetadata(rec(p.metadata)),
      { repository: configGit?.repository, revision: gitCommit(configSource.digest) },
      fromGitDependencies(p.materials),
    );
  }
  set(info, 'sourceRepository', source.repository);
  set(info, 'sourceRevision', source.revision);
  return info;
}

function set<K extends keyof AttestationInfo>(info: AttestationInfo, key: K, value: AttestationInfo[K] | undefined): void {
  if (value !== undefined) info[key] = value;
}

export function isProvenance(predicateType: string): boolean {
  return predicateType.startsWith('https://slsa.dev/provenance/');
}
