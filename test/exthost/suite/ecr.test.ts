// Amazon ECR inside a real VS Code: connected with the scripted form of Connect Registry (kind "ecr",
// an AWS profile and region; refused first with a profile AWS does not know, and nothing saved),
// browsed account/region → repositories → tags → platforms, the scan badge and Show Vulnerabilities
// from DescribeImageScanFindings, Scan Now (StartImageScan, then the finished scan's badge), retag (refused onto an immutable tag in ECR's words), copy, delete,
// and a registry token ECR expires mid-listing that the tree survives. ECR cannot be reached from
// here: test/emulations/ecr.ts is an emulation of its API from the ECR API Reference, in front of the
// REAL token registry of REGX_TEST_SERVICES; the AWS SDK (the extension's cloud-aws bundle) signs its
// calls with the temp profiles written here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import { ECR_PRINCIPALS, startEcrEmulation, type EcrEmulation } from '../../emulations/ecr';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../../support/seeding';
import { after, before, services, skip, suite, test } from './harness';
import { TreeView, VendorSuite } from './treeView';

const run = Date.now().toString(36);
const REPO = `team${run}/app`;
const LOCKED = `team${run}/locked`;

let api: RegistryExplorerApi;
let tree: TreeView;
let emu: EcrEmulation;
let app: SeededImage;
let multi: SeededIndex;
let home: string;
const session = new VendorSuite();

async function appRepository() {
  const reg = await tree.registry(emu.host);
  const [account] = tree.only(await tree.all(reg), 'namespace');
  return tree.repository(account!, REPO);
}

suite('Amazon ECR', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const token = svc.token;
    await session.start();
    ({ api, tree } = session);
    emu = await startEcrEmulation({ registry: token.host, issuer: token.issuer!, pusher: token.user!, reader: token.reader! });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ext-ecr-'));
    fs.writeFileSync(path.join(home, 'credentials'), [
      `[admin]\naws_access_key_id = ${ECR_PRINCIPALS.admin.accessKeyId}\naws_secret_access_key = ${ECR_PRINCIPALS.admin.secretAccessKey}`,
      `[bogus]\naws_access_key_id = AKIANOBODYKNOWSTHIS1\naws_secret_access_key = nope`,
    ].join('\n\n'));
    fs.writeFileSync(path.join(home, 'config'), '');
    // The extension host's own environment is what the AWS SDK reads.
    session.setEnv('AWS_CONFIG_FILE', path.join(home, 'config'));
    session.setEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(home, 'credentials'));
    session.setEnv('AWS_EC2_METADATA_DISABLED', 'true');
    emu.createRepository(REPO);
    emu.createRepository(LOCKED, { immutable: true });
    const auth = emu.issueToken();
    app = await seedImage(emu.host, REPO, '1.0', { auth, seed: `${run}-ecr-1` });
    await seedImage(emu.host, REPO, 'keep', { auth, seed: `${run}-ecr-keep` });
    multi = await seedIndex(emu.host, REPO, '2.0', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    await seedImage(emu.host, LOCKED, 'v1', { auth, seed: `${run}-ecr-v1` });
    await seedImage(emu.host, LOCKED, 'v2', { auth, seed: `${run}-ecr-v2` });
    await emu.setScan(REPO, '1.0', { status: 'COMPLETE', findings: 'basic' });
    // TEST-ONLY: the emulation's address is the ECR API endpoint.
    api.service.overrideVendor(emu.host, { kind: 'ecr', awsEndpoint: emu.url });
  });

  after(async () => {
    if (emu) await session.stop([emu.host]);
    await emu?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('a profile AWS does not know is refused in words that name it, and nothing is saved', async () => {
    const window = session.window();
    const host = await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'ecr', region: 'us-east-1', awsProfile: 'bogus' });
    assert.equal(host, undefined);
    const [error] = window.texts('error');
    assert.match(error ?? '', /bogus/, window.texts().join(' | '));
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), []);
  }, { timeout: 60_000 });

  test('the admin profile: connected, the entry keeps profile and region (never a key or token)', async () => {
    const window = session.window();
    assert.equal(await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'ecr', region: 'us-east-1', awsProfile: 'admin' }), emu.host);
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), [{ url: emu.url, kind: 'ecr', awsProfile: 'admin', region: 'us-east-1' }]);
    assert.equal(await api.service.secrets.get(emu.host), undefined);
    assert.ok(window.texts('info').some((t) => t.includes('as profile admin')), window.texts().join(' | '));
  }, { timeout: 60_000 });

  test('account/region → repositories → tags with the scan badge → platforms; Show Vulnerabilities', async () => {
    const reg = await tree.registry(emu.host);
    const namespaces = tree.only(await tree.all(reg), 'namespace');
    assert.equal(namespaces.length, 1);
    assert.match(tree.label(namespaces[0]!), /us-east-1/);
    const repo = await appRepository();
    const tags = tree.only(await tree.all(repo), 'tag');
    assert.deepEqual(tags.map((t) => t.tag), ['1.0', '2.0', 'keep']);
    assert.match(tree.contextValue(tags[0]!), /\bscannable\b/);
    // DescribeImages carries the scan status; the counts come from DescribeImageScanFindings (the recorded basic scan).
    await tree.descriptionOnceIt(tags[0]!, new RegExp(`^${app.digest.slice(7, 19)} · .* · C1 H1 M1 N1$`));
    assert.deepEqual(tree.only(await tree.children(tags[1]!), 'platform').map((p) => p.entry.digest), multi.images.map((i) => i.digest));
    const outcome = await vscode.commands.executeCommand<{ document: vscode.TextDocument }>('registryExplorer.showVulnerabilities', tags[0]!);
    assert.equal(outcome.document.uri.scheme, 'registry-explorer-scan');
    assert.match(outcome.document.getText(), new RegExp(`^# Vulnerabilities of ${emu.host.replace(/\./g, '\\.')}/${REPO}:1\\.0\\n`));
    assert.match(outcome.document.getText(), new RegExp(`\\| Image \\| \`${app.digest}\` \\|`));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeout: 60_000 });

  test('a registry token ECR expires mid-listing: the tree lists on with a new one', async () => {
    const repo = await appRepository();
    const before = emu.stats().authorizationTokens;
    emu.expireTokens();
    api.registries.refresh(repo);
    assert.deepEqual(tree.only(await tree.all(repo), 'tag').map((t) => t.tag), ['1.0', '2.0', 'keep']);
    // A manifest read goes to the registry itself, which wants a live AWS:<token>.
    assert.equal((await api.service.client(emu.host).headManifest(REPO, '1.0'))?.digest, app.digest);
    assert.ok(emu.stats().authorizationTokens > before, 'GetAuthorizationToken was asked again');
  }, { timeout: 60_000 });

  test('Scan Now: StartImageScan, the row says scanning… until ECR completes it, then the badge and Show Vulnerabilities show the findings', async () => {
    const window = session.window();
    const repo = await appRepository();
    const keep = await tree.tag(repo, 'keep');
    await tree.descriptionOnceIt(keep, / · not scanned$/);
    const started = emu.stats().actions['StartImageScan'] ?? 0;
    const scanning = vscode.commands.executeCommand<{ report: { status: string }; stillScanning: boolean }>('registryExplorer.scanNow', keep, undefined, { pollMs: 200, maxPolls: 100 });
    await tree.descriptionOnceIt(keep, / · scanning…$/);
    assert.equal(emu.stats().actions['StartImageScan'], started + 1, 'ECR was asked to scan the image');
    // ECR's basic scanner finishes: DescribeImages says COMPLETE, DescribeImageScanFindings has the recorded findings.
    await emu.setScan(REPO, 'keep', { status: 'COMPLETE', findings: 'basic' });
    const outcome = await scanning;
    assert.deepEqual([outcome.report.status, outcome.stillScanning], ['success', false]);
    assert.match(tree.description(keep), / · C1 H1 M1 N1$/);
    assert.ok(window.texts('info').some((t) => t.startsWith(`Scanned ${emu.host}/${REPO}:keep: `)), window.texts().join(' | '));
    const report = await vscode.commands.executeCommand<{ document: vscode.TextDocument }>('registryExplorer.showVulnerabilities', keep);
    assert.match(report.document.getText(), /\| critical \| \[CVE-2023-4911\]/);
    assert.match(report.document.getText(), /\| Scanner \| Amazon ECR basic scanning \|/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeout: 60_000 });

  test('retag, copy, delete one tag; a retag onto an immutable tag shows ECR\'s refusal', async () => {
    const window = session.window();
    const repo = await appRepository();
    const retagged = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.retag', await tree.tag(repo, '1.0'), undefined, 'stable');
    assert.equal(retagged.digest, app.digest);
    emu.createRepository(`team${run}/copies`);
    const copied = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.copyImage', await tree.tag(repo, '2.0'), undefined, { registry: emu.host, repository: `team${run}/copies`, tag: '2.0', referrers: false });
    assert.equal(copied.digest, multi.digest);
    const keep = await tree.tag(repo, 'keep');
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', keep, [keep], { choice: 'everything' });
    assert.deepEqual(outcome.removed, [`${REPO}:keep`], window.texts().join(' | '));
    api.registries.refresh(repo);
    assert.deepEqual(tree.only(await tree.all(repo), 'tag').map((t) => t.tag), ['1.0', '2.0', 'stable']);

    const reg = await tree.registry(emu.host);
    const [account] = tree.only(await tree.all(reg), 'namespace');
    const locked = await tree.repository(account!, LOCKED);
    await vscode.commands.executeCommand('registryExplorer.retag', await tree.tag(locked, 'v2'), undefined, 'v1');
    assert.match(window.texts('error').join(' | '), /immutable/i);
  }, { timeout: 60_000 });

  test('Disconnect leaves nothing behind', async () => {
    await vscode.commands.executeCommand('registryExplorer.disconnectRegistry', await tree.registry(emu.host));
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), []);
  }, { timeout: 60_000 });
});
