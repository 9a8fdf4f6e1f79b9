// Amazon ECR, Azure Container Registry and Google Artifact Registry clicked through in code-server with
// Chromium, by their REAL host names: each connected through Connect Registry's own prompts (ECR an AWS
// profile, a region and the account; ACR its login server and how to sign in, with VS Code's Microsoft
// account and its consent prompt; Artifact Registry a location and a project, with Application Default
// Credentials), browsed down to the tags, and photographed for the README
// (test-results/registries-<cloud>.png). None of the clouds can be reached from here: each is its
// emulation under test/emulations/, in front of the REAL token registry of REGX_TEST_SERVICES, and the
// extension reaches the cloud's host names through the cloud front (test/emulations/cloudFront.ts) given
// as `http.proxy`; the SDKs' environment was set up in code-server's own before it started
// (cloudEnvironment.ts).
import * as fs from 'node:fs';
import { startAcrEmulation } from '../emulations/acr';
import { startArtifactRegistryEmulation } from '../emulations/artifactRegistry';
import { ECR_ACCOUNT, startEcrEmulation } from '../emulations/ecr';
import { seedImage, seedIndex } from '../support/seeding';
import { uiClouds } from './cloudEnvironment';
import { services, skip, suite, test, type Workbench } from './harness';
import { contextMenu, description } from './registryRows';

const run = Date.now().toString(36);
const ECR_HOST = `${ECR_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const ACR_HOST = 'contoso.azurecr.io';
const GOOGLE_HOST = 'us-docker.pkg.dev';
const GOOGLE_PROJECT = 'acme-shop';

/** An ISO time this many hours ago (the pictures show recent pushes, not the seed's default date). */
const ago = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();

/** The sign-in toast has been read; out of the picture. */
async function clearNotifications(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden' }).catch(() => undefined);
}

/** What every cloud test starts from: no registries, no docker logins, the cloud front as VS Code's proxy. */
function cloudSettings(): Record<string, unknown> {
  return {
    'registryExplorer.registries': [],
    'registryExplorer.useDockerConfig': false,
    'registryExplorer.tags.sort': 'semver',
    'http.proxy': uiClouds()?.front.proxyUrl ?? '',
  };
}

suite('cloud registries', () => {
  test(
    'Amazon ECR: connected with an AWS profile, a region and the account; account/region → repositories → tags with sizes, push times and the scan badge; Show Vulnerabilities',
    async (wb) => {
      const token = services()?.token ?? skip('REGX_TEST_SERVICES is not set');
      const clouds = uiClouds() ?? skip('the UI tier\'s clouds were not started (test/ui/run.mjs starts them)');
      const emu = await startEcrEmulation({ registry: token.host, issuer: token.issuer!, pusher: token.user!, reader: token.reader! });
      const undo = [clouds.front.route(ECR_HOST, emu.url), clouds.front.route('aws', emu.url)];
      try {
        emu.createRepository('shop/api', { scanOnPush: true });
        emu.createRepository('shop/web');
        emu.createRepository('tools/migrate', { immutable: true });
        const auth = emu.issueToken();
        await seedImage(emu.host, 'shop/api', '1.4.2', { auth, seed: `${run}-api-1`, layers: [210_000, 3_100_000] });
        await seedImage(emu.host, 'shop/api', '1.5.0', { auth, seed: `${run}-api-2`, layers: [210_000, 3_300_000] });
        await seedIndex(emu.host, 'shop/api', '1.6.0-rc.1', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
        await seedImage(emu.host, 'shop/web', '2.0', { auth, seed: `${run}-web` });
        await seedImage(emu.host, 'tools/migrate', 'v7', { auth, seed: `${run}-migrate` });
        await emu.setScan('shop/api', '1.5.0', { status: 'COMPLETE', findings: 'basic' });
        await emu.setScan('shop/api', '1.4.2', { status: 'COMPLETE', findings: 'none' });

        await wb.openViewContainer('Registry Explorer');
        await wb.runCommand('Registry Explorer: Connect Registry…');
        await wb.pickQuickPickItem(/^\s*Amazon ECR…/, { filter: false });
        await wb.pickQuickPickItem(/^\s*admin\s*$/, { filter: false });
        await wb.pickQuickPickItem('us-east-1', { filter: false });
        await wb.answerInputBox(ECR_ACCOUNT);
        await wb.notification(/Signed in to Amazon ECR \(123456789012, us-east-1\) as /);

        await wb.expandTreeItem('Registries', `${ECR_ACCOUNT} (us-east-1)`);
        await wb.expandTreeItem('Registries', 'shop/web');
        await wb.expandTreeItem('Registries', 'shop/api');
        await description(wb, / · C1 H1 M1 N1$/);
        await description(wb, / · no findings$/);
        // DescribeImages says only that 1.6.0-rc.1 is an index: its platforms come from the registry.
        await description(wb, / · 2 platforms · .* · not scanned$/);
        await clearNotifications(wb);
        await wb.screenshot('registries-ecr');

        await contextMenu(wb, '1.5.0', 'Show Vulnerabilities');
        await wb.page.locator('.tab').filter({ hasText: /1\.5\.0 vulnerabilities\.md/ }).first().waitFor();
        await wb.page.locator('.view-lines').filter({ hasText: 'CVE-2023-4911' }).first().waitFor();
        await wb.screenshot('ecr-vulnerabilities');
      } finally {
        for (const u of undo) u();
        await emu.close();
      }
    },
    { settings: cloudSettings(), timeout: 150_000 },
  );

  test(
    'Azure Container Registry: connected by its login server, signed in with VS Code\'s Microsoft account (the consent prompt allowed); repositories → tags with their locks',
    async (wb) => {
      const token = services()?.token ?? skip('REGX_TEST_SERVICES is not set');
      const clouds = uiClouds() ?? skip('the UI tier\'s clouds were not started (test/ui/run.mjs starts them)');
      const emu = await startAcrEmulation({ registry: { host: token.host, issuer: token.issuer!, user: token.user!, reader: token.reader! }, repositoryPrefix: 'storefront/' });
      const undo = clouds.front.route(ACR_HOST, { backend: emu.url, form: 'origin' });
      try {
        emu.addPrincipal({ name: 'dev@contoso.com', kind: 'user', role: 'AcrPush' });
        const auth = token.user!;
        await seedImage(token.host, 'storefront/api', '3.1.0', { auth, seed: `${run}-acr-api-1`, layers: [150_000, 4_200_000] });
        await seedImage(token.host, 'storefront/api', '3.2.0', { auth, seed: `${run}-acr-api-2`, layers: [150_000, 4_400_000] });
        await seedImage(token.host, 'storefront/web', '1.8', { auth, seed: `${run}-acr-web` });
        await seedIndex(token.host, 'storefront/web', '1.9', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
        emu.setAttributes('storefront/api:3.1.0', { writeEnabled: false, deleteEnabled: false });
        emu.setAttributes('storefront/web:1.8', { deleteEnabled: false });
        emu.setTagTime('storefront/api', '3.2.0', ago(2));
        emu.setTagTime('storefront/api', '3.1.0', ago(9 * 24));
        emu.setTagTime('storefront/web', '1.9', ago(26));
        emu.setTagTime('storefront/web', '1.8', ago(21 * 24));
        // The account VS Code's Microsoft provider (the test-only one, microsoftAccounts.ts) signs in as, with an Entra token of the emulation's.
        fs.writeFileSync(clouds.microsoftAccountFile, JSON.stringify({ account: 'dev@contoso.com', accessToken: emu.issueEntraToken('dev@contoso.com') }));

        await wb.openViewContainer('Registry Explorer');
        await wb.runCommand('Registry Explorer: Connect Registry…');
        await wb.pickQuickPickItem('Azure Container Registry…');
        await wb.answerInputBox('contoso');
        await wb.pickQuickPickItem(/Sign in with Microsoft/, { filter: false });
        // VS Code's own consent prompt, before any extension gets a Microsoft session.
        const consent = wb.page.locator('.monaco-dialog-box').filter({ hasText: /The extension 'Registry Explorer' wants to sign in using Microsoft \(test\)/ });
        await consent.locator('.monaco-button').filter({ hasText: /^\s*Allow\s*$/ }).first().click();
        await consent.waitFor({ state: 'hidden' });
        await wb.notification(`Signed in to Azure Container Registry (${ACR_HOST}) as dev@contoso.com.`);

        await wb.expandTreeItem('Registries', 'storefront/api');
        await wb.expandTreeItem('Registries', 'storefront/web');
        await description(wb, / · 2 platforms · /);
        await description(wb, / · 9 days ago · locked$/);
        await description(wb, / · 21 days ago · delete-locked$/);
        await clearNotifications(wb);
        await wb.screenshot('registries-acr');
      } finally {
        undo();
        fs.rmSync(clouds.microsoftAccountFile, { force: true });
        await emu.close();
      }
    },
    { settings: cloudSettings(), timeout: 150_000 },
  );

  test(
    'Google Artifact Registry: connected by location and project, signed in with Application Default Credentials; project → repositories → images → tags with their Artifact Analysis findings',
    async (wb) => {
      const token = services()?.token ?? skip('REGX_TEST_SERVICES is not set');
      const clouds = uiClouds() ?? skip('the UI tier\'s clouds were not started (test/ui/run.mjs starts them)');
      const emu = await startArtifactRegistryEmulation({ registry: token.host, pusher: token.user!, reader: token.reader! });
      const undo = [
        clouds.front.route(GOOGLE_HOST, emu.url),
        clouds.front.route('artifactregistry.googleapis.com', { backend: emu.url, form: 'origin' }),
        clouds.front.route('containeranalysis.googleapis.com', { backend: emu.url, form: 'origin' }),
      ];
      try {
        emu.createRepository({ project: GOOGLE_PROJECT, location: 'us', repository: 'containers', description: 'Production images' });
        emu.createRepository({ project: GOOGLE_PROJECT, location: 'us', repository: 'ci-cache', description: 'Build cache, kept 30 days' });
        const auth = token.user!;
        const scanned = await seedImage(token.host, `${GOOGLE_PROJECT}/containers/checkout`, '2.4.1', { auth, seed: `${run}-gar-1`, layers: [120_000, 5_600_000], created: ago(6 * 24) });
        await seedImage(token.host, `${GOOGLE_PROJECT}/containers/checkout`, '2.5.0', { auth, seed: `${run}-gar-2`, layers: [120_000, 5_800_000], created: ago(3) });
        await seedIndex(token.host, `${GOOGLE_PROJECT}/containers/gateway`, '1.0', { auth, created: ago(30), platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
        await seedImage(token.host, `${GOOGLE_PROJECT}/ci-cache/builder`, 'main', { auth, seed: `${run}-gar-cache` });
        emu.setScan(emu.resourceUrl(GOOGLE_HOST, `${GOOGLE_PROJECT}/containers/checkout`, scanned.digest), 'FINISHED_SUCCESS');
        // What `gcloud auth application-default login` writes, for a user of the emulation's.
        fs.writeFileSync(clouds.googleCredentialsFile, JSON.stringify(emu.addUser('dev@acme.example', 'repoAdmin', GOOGLE_PROJECT)));

        await wb.openViewContainer('Registry Explorer');
        await wb.runCommand('Registry Explorer: Connect Registry…');
        await wb.pickQuickPickItem('Google Artifact Registry / GCR…');
        await wb.pickQuickPickItem(GOOGLE_HOST);
        await wb.answerInputBox(GOOGLE_PROJECT);
        await wb.pickQuickPickItem(/Application Default Credentials/, { filter: false });
        await wb.notification(/Signed in to Artifact Registry \(us-docker\.pkg\.dev\) as the user credentials in GOOGLE_APPLICATION_CREDENTIALS/);

        await wb.expandTreeItem('Registries', `${GOOGLE_PROJECT}/containers`);
        await wb.expandTreeItem('Registries', 'checkout');
        await wb.expandTreeItem('Registries', 'gateway');
        await description(wb, / · 6 days ago · C1 M1 L1$/);
        await description(wb, / · 2 platforms · /);
        await description(wb, / · 3 hours ago · not scanned$/);
        await clearNotifications(wb);
        await wb.screenshot('registries-artifact-registry');
      } finally {
        for (const u of undo) u();
        fs.rmSync(clouds.googleCredentialsFile, { force: true });
        await emu.close();
      }
    },
    { settings: cloudSettings(), timeout: 150_000 },
  );
});
