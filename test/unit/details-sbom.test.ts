// SBOMs as the Supply chain tab lists them: SPDX 2.3 and CycloneDX 1.4/1.5 JSON, bare, as an in-toto
// statement and inside DSSE, read into one package list (fixtures: ./fixtures/details/sboms.ts,
// written after the specifications cited there), then filtered and paged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterPackages, findSbomDocument, parseSbom } from '../../src/details/sbom';
import { cyclonedx14, cyclonedx15, dsseOf, spdx23, spdxStatement } from './fixtures/details/sboms';

describe('SBOM parsing', () => {
  it('reads SPDX 2.3 packages: version, the concluded license unless NOASSERTION, else the declared one, the purl among externalRefs', () => {
    const sbom = parseSbom(spdx23);
    assert.ok(sbom);
    assert.deepEqual({ format: sbom.format, name: sbom.name, created: sbom.created, tool: sbom.tool }, {
      format: 'spdx', name: 'registry.example.com/app:1.0', created: '2024-02-01T12:00:00Z', tool: 'syft-0.98.0',
    });
    assert.deepEqual(sbom.packages, [
      { name: 'openssl', version: '3.0.11-1~deb12u2', license: 'Apache-2.0', purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12' },
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1', license: 'Zlib', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64' },
      { name: 'base-files' },
    ]);
  });

  it('reads CycloneDX 1.5 components, nested ones included, with each license form (id, name, expression; several joined)', () => {
    const sbom = parseSbom(cyclonedx15);
    assert.ok(sbom);
    assert.deepEqual({ format: sbom.format, name: sbom.name, created: sbom.created, tool: sbom.tool }, {
      format: 'cyclonedx', name: 'registry.example.com/web', created: '2024-03-04T05:06:07Z', tool: 'syft-1.0.1',
    });
    assert.deepEqual(sbom.packages, [
      { name: 'express', version: '4.18.2', license: 'MIT', purl: 'pkg:npm/express@4.18.2' },
      { name: 'web', version: '2.0.0', license: 'Apache-2.0 OR MIT' },
      { name: 'lodash', version: '4.17.21', license: 'MIT License', purl: 'pkg:npm/lodash@4.17.21' },
      { name: 'left-pad', version: '1.3.0', license: 'WTFPL AND MIT' },
      { name: 'debian', version: '12.5' },
    ]);
  });

  it("reads CycloneDX 1.4's tool list (an array, not 1.5's object)", () => {
    assert.equal(parseSbom(cyclonedx14)?.tool, 'trivy-0.48.0');
  });

  it('finds the SBOM inside an in-toto statement and inside a DSSE envelope around one', () => {
    assert.equal(parseSbom(spdxStatement)?.packages.length, 3);
    assert.equal(parseSbom(dsseOf(spdxStatement))?.packages.length, 3);
    const cdxStatement = { _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'https://cyclonedx.org/bom/v1.5', predicate: cyclonedx15 };
    assert.equal(findSbomDocument(cdxStatement)?.format, 'cyclonedx');
  });

  it('is not fooled by documents that are not SBOMs or are malformed', () => {
    const provenance = { _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'https://slsa.dev/provenance/v1', predicate: {} };
    for (const json of [provenance, { hello: 'world' }, [], null, 'SPDX-2.3', dsseOf({ not: 'a statement' }), { payloadType: 'application/vnd.in-toto+json', payload: '%%%' }]) {
      assert.equal(parseSbom(json), undefined, JSON.stringify(json));
    }
    // Wrong shapes inside a real header: no crash, nothing made up.
    assert.deepEqual(parseSbom({ spdxVersion: 'SPDX-2.3', packages: 'many', creationInfo: 5 })?.packages, []);
    assert.deepEqual(parseSbom({ bomFormat: 'CycloneDX', components: [{ name: 42 }, null, { name: 'ok', version: 7, licenses: 'MIT' }] })?.packages, [{ name: 'ok' }]);
  });

  it('walks deeply nested CycloneDX components without recursion', () => {
    let component: Record<string, unknown> = { name: 'leaf' };
    for (let i = 0; i < 20000; i++) component = { name: `level-${i}`, components: [component] };
    const sbom = parseSbom({ bomFormat: 'CycloneDX', components: [component] });
    assert.equal(sbom?.packages.length, 20001);
    assert.equal(sbom?.packages.at(-1)?.name, 'leaf');
  });
});

describe('SBOM pages', () => {
  const packages = Array.from({ length: 450 }, (_, i) => ({ name: `pkg-${String(i).padStart(3, '0')}`, version: `1.${i}`, license: i % 2 ? 'MIT' : 'Apache-2.0' }));

  it('pages through every package in order, with the total', () => {
    const first = filterPackages(packages, '', 0, 200);
    const last = filterPackages(packages, '', 400, 200);
    assert.deepEqual([first.total, first.items.length, first.items[0].name, last.items.length, last.items.at(-1)?.name], [450, 200, 'pkg-000', 50, 'pkg-449']);
  });

  it('filters case-insensitively on name, version or license, the total counting every match', () => {
    const byLicense = filterPackages(packages, 'apache', 0, 10);
    assert.deepEqual([byLicense.total, byLicense.items.length], [225, 10]);
    const byName = filterPackages(packages, 'PKG-04', 0, 100);
    assert.deepEqual(byName.items.map((p) => p.name), Array.from({ length: 10 }, (_, i) => `pkg-04${i}`));
    assert.equal(filterPackages(packages, '1.449', 0, 10).items[0]?.name, 'pkg-449');
    assert.deepEqual(filterPackages(packages, 'nothing-like-this', 0, 10), { total: 0, items: [] });
  });
});
