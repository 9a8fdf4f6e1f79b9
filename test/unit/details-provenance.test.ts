// SLSA provenance as the Supply chain tab shows it: builder, build type, source repository and
// revision, entry point (fixtures: ./fixtures/details/provenance.ts, after the specifications cited there).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readProvenance, splitGitUri } from '../../src/details/provenance';
import { v02Buildkit, v02Materials, v1Buildkit, v1GitHub } from './fixtures/details/provenance';

describe('SLSA provenance', () => {
  it("v0.2 from BuildKit: the builder, the Dockerfile, and the source from BuildKit's vcs metadata", () => {
    assert.deepEqual(readProvenance('https://slsa.dev/provenance/v0.2', v02Buildkit, 'sha256:1'), {
      predicateType: 'https://slsa.dev/provenance/v0.2',
      digest: 'sha256:1',
      builder: 'https://github.com/docker/buildx/actions/runs/1',
      buildType: 'https://mobyproject.org/buildkit@v1',
      entryPoint: 'build/Dockerfile',
      sourceRepository: 'https://github.com/acme/shop.git',
      sourceRevision: 'deadbeefcafe0123456789abcdef0123456789ab',
    });
  });

  it('v0.2 without BuildKit metadata: the source from configSource (git+ URI and sha1)', () => {
    const info = readProvenance('https://slsa.dev/provenance/v0.2', v02Materials, 'sha256:2');
    assert.deepEqual([info.sourceRepository, info.sourceRevision, info.entryPoint], ['https://gitlab.com/acme/group/shop', '0123456789abcdef0123456789abcdef01234567', 'cloudbuild.yaml']);
    // The materials alone are enough too.
    const fromMaterials = readProvenance('https://slsa.dev/provenance/v0.2', { ...v02Materials, invocation: {} }, 'sha256:2');
    assert.deepEqual([fromMaterials.sourceRepository, fromMaterials.sourceRevision], ['https://gitlab.com/acme/group/shop', '0123456789abcdef0123456789abcdef01234567']);
  });

  it('v1 from GitHub Actions: runDetails.builder, the workflow file, the repository and the resolved commit', () => {
    assert.deepEqual(readProvenance('https://slsa.dev/provenance/v1', v1GitHub, 'sha256:3'), {
      predicateType: 'https://slsa.dev/provenance/v1',
      digest: 'sha256:3',
      builder: 'https://github.com/actions/runner/github-hosted',
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      entryPoint: '.github/workflows/release.yml',
      sourceRepository: 'https://github.com/acme/shop',
      sourceRevision: 'feedface0123456789abcdef0123456789abcdef',
    });
  });

  it("v1 from BuildKit: the vcs metadata wins, the config file is the entry point, an empty builder id is left out", () => {
    const info = readProvenance('https://slsa.dev/provenance/v1', v1Buildkit, 'sha256:4');
    assert.deepEqual([info.builder, info.entryPoint, info.sourceRepository, info.sourceRevision], [undefined, 'Dockerfile', 'https://github.com/acme/api', '1111222233334444555566667777888899990000']);
  });

  it('survives predicates of the wrong shape', () => {
    for (const predicate of [null, 'text', [], { builder: 'x', materials: 'y', invocation: [] }, { buildDefinition: 5, runDetails: { builder: [] } }]) {
      const info = readProvenance('https://slsa.dev/provenance/v1', predicate, 'sha256:5');
      assert.deepEqual(info, { predicateType: 'https://slsa.dev/provenance/v1', digest: 'sha256:5' });
    }
  });

  it('splits git URIs into repository and ref, never taking a user for a ref', () => {
    assert.deepEqual(splitGitUri('git+https://github.com/o/r@refs/heads/main'), { repository: 'https://github.com/o/r', ref: 'refs/heads/main' });
    assert.deepEqual(splitGitUri('git+ssh://git@github.com/o/r.git'), { repository: 'ssh://git@github.com/o/r' });
    assert.deepEqual(splitGitUri('https://github.com/o/r.git@v1.2'), { repository: 'https://github.com/o/r', ref: 'v1.2' });
    assert.equal(splitGitUri('pkg:docker/alpine@3.19'), undefined);
  });
});
