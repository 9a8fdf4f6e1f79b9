// The Layers and Config tabs' data from a config (image spec: https://github.com/opencontainers/image-spec/blob/main/config.md
// — layer i goes with the i-th history entry whose empty_layer is not true), labels with the OCI
// annotation links (https://github.com/opencontainers/image-spec/blob/main/annotations.md), an index's
// platform switcher, and what compare reports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configChanges, diffPackages, labelChanges } from '../../src/details/compare';
import { commitLink, labelRows } from '../../src/details/labels';
import type { ConfigView, DetailsProblem } from '../../src/details/model';
import { configView, layerRows, platformChoices, splitEnv } from '../../src/details/read';
import { readImageConfig } from '../../src/distribution/imageConfig';
import type { IndexEntry } from '../../src/distribution/types';

const layer = (n: number) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${String(n).repeat(64)}`, size: n * 100 });

describe('layers and history', () => {
  it('pairs each layer with the history step that made it, empty steps marked and layer-less', () => {
    const problems: DetailsProblem[] = [];
    const rows = layerRows([
      { createdBy: 'ADD rootfs.tar /', emptyLayer: false },
      { createdBy: 'ENV A=1', emptyLayer: true },
      { createdBy: 'RUN make', emptyLayer: false, created: '2024-01-01T00:00:00Z' },
      { createdBy: 'CMD ["app"]', emptyLayer: true },
    ], [layer(1), layer(2)], problems);
    assert.deepEqual(rows.map((r) => [r.step, r.emptyLayer, r.layer?.digest.slice(7, 8), r.createdBy]), [
      [0, false, '1', 'ADD rootfs.tar /'], [1, true, undefined, 'ENV A=1'], [2, false, '2', 'RUN make'], [3, true, undefined, 'CMD ["app"]'],
    ]);
    assert.deepEqual(problems, []);
  });

  it('says so when history and layers do not line up, and still shows every layer', () => {
    const problems: DetailsProblem[] = [];
    const rows = layerRows([{ createdBy: 'ADD a /', emptyLayer: false }], [layer(1), layer(2), layer(3)], problems);
    assert.equal(rows.filter((r) => r.layer).length, 3);
    assert.match(problems[0].message, /history names 1 layer, the manifest has 3/);
    // No history at all (a broken or missing config): one row per layer, no complaint.
    const bare: DetailsProblem[] = [];
    assert.deepEqual(layerRows([], [layer(4)], bare).map((r) => r.layer?.size), [400]);
    assert.deepEqual(bare, []);
  });

  it('reads volumes and the stop signal, and splits env at the first "="', () => {
    const config = readImageConfig({ config: { Env: ['A=1', 'B=x=y', 'EMPTY=', 'BARE'], Volumes: { '/var/lib/b': {}, '/data': {} }, StopSignal: 'SIGQUIT', ExposedPorts: { '80/tcp': {} } } });
    assert.ok(config);
    const view = configView(config);
    assert.deepEqual(view.volumes, ['/data', '/var/lib/b']);
    assert.equal(view.stopSignal, 'SIGQUIT');
    assert.deepEqual(view.env, [{ name: 'A', value: '1' }, { name: 'B', value: 'x=y' }, { name: 'EMPTY', value: '' }, { name: 'BARE', value: '' }]);
    assert.deepEqual(splitEnv([]), []);
  });
});

describe('labels', () => {
  it('links source, url and documentation only when https, and a revision to its commit on GitHub or GitLab', () => {
    const rows = labelRows({
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.revision': 'deadbeef1234',
      'org.opencontainers.image.url': 'javascript:alert(1)',
      'org.opencontainers.image.documentation': 'http://docs.example.com',
      'org.opencontainers.image.licenses': 'MIT OR Apache-2.0',
      'com.example.team': 'payments',
    });
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    assert.equal(byKey['org.opencontainers.image.source'].link, 'https://github.com/acme/shop');
    assert.equal(byKey['org.opencontainers.image.revision'].link, 'https://github.com/acme/shop/commit/deadbeef1234');
    assert.equal(byKey['org.opencontainers.image.url'].link, undefined);
    assert.equal(byKey['org.opencontainers.image.documentation'].link, undefined);
    assert.equal(byKey['org.opencontainers.image.licenses'].known, 'licenses');
    assert.deepEqual(byKey['com.example.team'], { key: 'com.example.team', value: 'payments' });
    assert.deepEqual(rows.map((r) => r.key), [...rows.map((r) => r.key)].sort());
  });

  it('makes commit links for GitLab subgroups and ssh/git+ sources, none for other forges or non-commit revisions', () => {
    assert.equal(commitLink('https://gitlab.com/acme/group/shop.git', 'abc1234'), 'https://gitlab.com/acme/group/shop/-/commit/abc1234');
    assert.equal(commitLink('git@github.com:acme/shop.git', 'abc1234'), 'https://github.com/acme/shop/commit/abc1234');
    assert.equal(commitLink('git+https://github.com/acme/shop', 'abc1234'), 'https://github.com/acme/shop/commit/abc1234');
    assert.equal(commitLink('https://bitbucket.org/acme/shop', 'abc1234'), undefined);
    assert.equal(commitLink('https://github.com/acme/shop', 'v1.2.3'), undefined);
    assert.equal(commitLink('https://github.com/acme/shop/tree/main', 'abc1234'), undefined);
    // The old label-schema names count too.
    const rows = labelRows({ 'org.label-schema.vcs-url': 'https://github.com/acme/old', 'org.label-schema.vcs-ref': 'abc1234' });
    assert.deepEqual(rows.map((r) => [r.known, r.link]), [['revision', 'https://github.com/acme/old/commit/abc1234'], ['source', 'https://github.com/acme/old']]);
  });
});

describe('platform switcher', () => {
  it('lists images first, then each attestation named after the platform it attests', () => {
    const entry = (digest: string, platformText: string, isAttestation: boolean, attests?: string): IndexEntry => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 500, platformText, isAttestation,
      ...(attests ? { annotations: { 'vnd.docker.reference.digest': attests, 'vnd.docker.reference.type': 'attestation-manifest' } } : {}),
    });
    const choices = platformChoices([entry('sha256:a', 'linux/amd64', false), entry('sha256:att-a', 'unknown/unknown', true, 'sha256:a'), entry('sha256:b', 'linux/arm64', false), entry('sha256:att-x', 'unknown/unknown', true, 'sha256:gone')]);
    assert.deepEqual(choices.map((c) => [c.platform, c.isAttestation, c.attests]), [
      ['linux/amd64', false, undefined], ['linux/arm64', false, undefined], ['attestation for linux/amd64', true, 'sha256:a'], ['attestation for sha256:gone', true, 'sha256:gone'],
    ]);
  });
});

describe('compare', () => {
  const config = (over: Partial<ConfigView>): ConfigView => ({ env: [], exposedPorts: [], volumes: [], labels: [], ...over });

  it('names each config change: env by variable, ports and volumes by item, the rest by field', () => {
    const before = config({ entrypoint: ['/app'], cmd: ['serve'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], user: 'app', exposedPorts: ['80/tcp'], volumes: ['/data'], stopSignal: 'SIGTERM' });
    const after = config({ entrypoint: ['/app'], cmd: ['serve', '--debug'], env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }], exposedPorts: ['80/tcp', '443/tcp'], volumes: [], stopSignal: 'SIGQUIT' });
    assert.deepEqual(configChanges(before, after), [
      { field: 'Cmd', before: '["serve"]', after: '["serve","--debug"]' },
      { field: 'Env B', before: '2' },
      { field: 'Env C', after: '3' },
      { field: 'User', before: 'app' },
      { field: 'ExposedPorts 443/tcp', after: '443/tcp' },
      { field: 'Volumes /data', before: '/data' },
      { field: 'StopSignal', before: 'SIGTERM', after: 'SIGQUIT' },
    ]);
    assert.deepEqual(configChanges(before, before), []);
  });

  it('compares labels by key', () => {
    assert.deepEqual(labelChanges([{ key: 'a', value: '1' }, { key: 'b', value: '2' }], [{ key: 'b', value: '3' }, { key: 'c', value: '4' }]), [
      { field: 'a', before: '1' }, { field: 'b', before: '2', after: '3' }, { field: 'c', after: '4' },
    ]);
  });

  it('finds packages added, removed and upgraded, a name with several versions compared as a whole', () => {
    const diff = diffPackages(
      [{ name: 'openssl', version: '3.0.11' }, { name: 'zlib', version: '1.2.13' }, { name: 'lodash', version: '4.17.20' }, { name: 'lodash', version: '3.10.1' }, { name: 'same', version: '1' }],
      [{ name: 'openssl', version: '3.0.13' }, { name: 'curl', version: '8.5.0' }, { name: 'lodash', version: '4.17.21' }, { name: 'lodash', version: '3.10.1' }, { name: 'same', version: '1' }],
    );
    assert.deepEqual(diff, {
      added: [{ name: 'curl', version: '8.5.0' }],
      removed: [{ name: 'zlib', version: '1.2.13' }],
      upgraded: [{ name: 'lodash', from: '3.10.1, 4.17.20', to: '3.10.1, 4.17.21' }, { name: 'openssl', from: '3.0.11', to: '3.0.13' }],
    });
  });
});
