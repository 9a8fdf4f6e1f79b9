// Harbor, Quay and Artifactory clicked through in code-server with Chromium: each connected from the
// palette and signed in the way a person does it, browsed down to its tags (with their scan badges where
// the registry scans), and photographed for the README (test-results/registries-<vendor>.png). None of them can run here:
// each is the emulation of its API under test/emulations/, started in this process in front of the REAL
// token registry of REGX_TEST_SERVICES, which code-server's extension reaches over loopback.
import { startArtifactoryEmulation } from '../emulations/artifactory';
import { startHarborEmulation } from '../emulations/harbor';
import { startQuayEmulation } from '../emulations/quay';
import { seedImage, seedIndex } from '../support/seeding';
import { services, skip, suite, test } from './harness';
import { contextMenu, description } from './registryRows';

const run = Date.now().toString(36);

suite('vendor registries', () => {
  test(
    'Harbor: connected from the palette, signed in with a robot account, projects → tags with their scan badges',
    async (wb) => {
      const token = services()?.token ?? skip('REGX_TEST_SERVICES is not set');
      const project = `team${run}`;
      const emu = await startHarborEmulation({ registry: token.host, issuer: token.issuer!, pusher: token.user!, reader: token.reader!, projects: [{ name: project }] });
      try {
        const auth = token.user!;
        await seedImage(token.host, `${project}/api`, '1.4.2', { auth, seed: `${run}-api-1`, layers: [180_000, 2_400_000] });
        await seedImage(token.host, `${project}/api`, '1.5.0', { auth, seed: `${run}-api-2`, layers: [180_000, 2_600_000] });
        await seedImage(token.host, `${project}/api`, 'latest', { auth, seed: `${run}-api-2`, layers: [180_000, 2_600_000] });
        await seedIndex(token.host, `${project}/worker`, '2.0', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
        await emu.attachScan(`${project}/api`, '1.5.0', 'vulnerable');
        await emu.attachScan(`${project}/api`, '1.4.2', 'clean');

        await wb.openViewContainer('Registry Explorer');
        await wb.runCommand('Registry Explorer: Connect Registry…');
        await wb.pickQuickPickItem(/^\s*Harbor…/, { filter: false });
        await wb.answerInputBox(emu.url);
        await wb.pickQuickPickItem(/Sign in now/, { filter: false });
        await wb.pickQuickPickItem(/Robot account/, { filter: false });
        await wb.answerInputBox(emu.accounts.robot.username);
        await wb.answerInputBox(emu.accounts.robot.password);
        await wb.notification(`Signed in to Harbor (${emu.host}) as robot$ci.`);

        await wb.expandTreeItem('Registries', project);
        await wb.expandTreeItem('Registries', 'api');
        await description(wb, / · C1 H2 M2 L1$/);
        await description(wb, / · no findings$/);
        await wb.expandTreeItem('Registries', 'worker');
        await description(wb, / · not scanned$/);
        await wb.screenshot('registries-harbor');

        // The report in full, from the tag's menu.
        await contextMenu(wb, '1.5.0', 'Show Vulnerabilities');
        await wb.page.locator('.tab').filter({ hasText: /1\.5\.0 vulnerabilities\.md/ }).first().waitFor();
        await wb.page.locator('.view-lines').filter({ hasText: 'CVE-2023-38545' }).first().waitFor();
        await wb.screenshot('harbor-vulnerabilities');
      } finally {
        await emu.close();
      }
    },
    { settings: { 'registryExplorer.registries': [], 'registryExplorer.useDockerConfig': false, 'registryExplorer.tags.sort': 'semver' }, timeout: 150_000 },
  );

  test(
    'Quay: a Red Hat Quay connected by its URL, signed in with an OAuth token, organisations → tags with their security scans',
    async (wb) => {
      const token = services()?.token ?? skip('REGX_TEST_SERVICES is not set');
      const repo = `quaycorp/shop${run}`;
      const auth = token.user!;
      const scanned = await seedImage(token.host, repo, '3.2', { auth, seed: `${run}-shop-1`, layers: [90_000, 5_100_000] });
      await seedImage(token.host, repo, '3.3', { auth, seed: `${run}-shop-2`, layers: [90_000, 5_200_000] });
      await seedIndex(token.host, repo, 'multi', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
      const emu = await startQuayEmulation({ registry: token.host, issuer: token.issuer!, pusher: auth, reader: token.reader! });
      try {
        emu.setScan(scanned.digest, 'scanned');
        await wb.openViewContainer('Registry Explorer');
        await wb.runCommand('Registry Explorer: Connect Registry…');
        await wb.pickQuickPickItem(/^\s*Quay…/, { filter: false });
        // quay.io, or a Red Hat Quay of your own by its URL.
        await wb.pickQuickPickItem(/Red Hat Quay of your own/, { filter: false });
        await wb.answerInputBox(emu.url);
        await wb.pickQuickPickItem(/Sign in now/, { filter: false });
        await wb.pickQuickPickItem(/OAuth access token/, { filter: false });
        await wb.answerInputBox(emu.accounts.fullToken);
        await wb.notification(`Signed in to Quay (${emu.host}) as ${emu.accounts.username}.`);

        await wb.expandTreeItem('Registries', 'quaycorp');
        await wb.expandTreeItem('Registries', `shop${run}`);
        await description(wb, / · H1 M2 L3 \?1$/);
        await description(wb, / · scanning…$/);
        await description(wb, / · 2 platforms · .* · not scannable$/);
        await wb.screenshot('registries-quay');
      } finally {
        await emu.close();
      }
    },
    { settings: { 'registryExplorer.registries': [], 'registryExplorer.useDockerConfig': false, 'registryExplorer.tags.sort': 'semver' }, timeout: 150_000 },
  );

  test(
    'Artifactory: connected from the palette by its repository path, signed in with an identity token, Docker repositories → tags',
    async (wb) => {
      const token = services()?.token ?? skip('REGX_TEST_SERVICES is not set');
      const auth = token.user!;
      const image = `web${run}`;
      await seedImage(token.host, `docker-local/${image}`, '1.0', { auth, seed: `${run}-web-1`, layers: [120_000, 3_300_000] });
      await seedImage(token.host, `docker-local/${image}`, '1.1', { auth, seed: `${run}-web-2`, layers: [120_000, 3_400_000] });
      await seedIndex(token.host, `docker-local/${image}`, '2.0', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
      await seedImage(token.host, `docker-remote/library/alpine${run}`, '3.19', { auth, seed: `${run}-alpine` });
      const emu = await startArtifactoryEmulation({ registry: token.host, issuer: token.issuer!, pusher: auth, reader: token.reader! });
      try {
        await wb.openViewContainer('Registry Explorer');
        await wb.runCommand('Registry Explorer: Connect Registry…');
        await wb.pickQuickPickItem(/^\s*JFrog Artifactory…/, { filter: false });
        await wb.answerInputBox(emu.url);
        // Which of the three access methods; the repository path with no key: every Docker repository.
        await wb.pickQuickPickItem(/Repository path/, { filter: false });
        await wb.answerInputBox('');
        await wb.pickQuickPickItem(/Sign in now/, { filter: false });
        await wb.answerInputBox('deployer');
        await wb.answerInputBox(emu.users.deployer.identityToken);
        await wb.notification(`Signed in to Artifactory (${emu.host}) as deployer.`);

        await wb.treeItem('Registries', 'docker-remote');
        await description(wb, /^Local repository: Team images$/);
        await wb.expandTreeItem('Registries', 'docker-local');
        await wb.expandTreeItem('Registries', image);
        await description(wb, / · 2 platforms · /);
        await wb.screenshot('registries-artifactory');
      } finally {
        await emu.close();
      }
    },
    { settings: { 'registryExplorer.registries': [], 'registryExplorer.useDockerConfig': false, 'registryExplorer.tags.sort': 'semver' }, timeout: 150_000 },
  );
});
