// Build Image, Build and Push and the registry-explorer task type inside a real VS Code, against the
// test services' real dockerd and open registry: the prompts a Dockerfile with ARGs and stages gets,
// the build's output and the image selected in Local Images, a failing step shown at its Dockerfile
// line, Build and Push landing the tag in the registry, and a task from a definition as tasks.json
// would give it (its terminal's exit code and the image it built). The base image is the host's
// static busybox, imported through the engine API.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { BuildOutcome } from '../../../src/vscode/commands/buildImage';
import { busyboxPath, busyboxRootfsTar, writeBuildContext } from '../../support/engineImages';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';
import { captureWindow } from './window';

const run = Date.now().toString(36);
const BASE = `regx-ext-build-base-${run}:1`;
let api: RegistryExplorerApi;
let dir: string;
const restore: (() => Promise<void>)[] = [];
const images: string[] = [];

suite('build', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    if (!svc.dockerHost) skip('no test dockerd');
    const busybox = busyboxPath() ?? skip('no static busybox (busybox-static)');
    api = (await activateExtension()).exports as RegistryExplorerApi;
    restore.push(await withSetting('registryExplorer', 'docker.host', svc.dockerHost));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ext-build-'));
    await api.engines.engine().importImage(busyboxRootfsTar(busybox), BASE);
    images.push(BASE);
  });

  after(async () => {
    // Nothing was set up when the suite was skipped (no services, engine or busybox).
    if (!dir) return;
    for (const ref of images.reverse()) await api.engines.engine().removeImage(ref, { force: true }).catch(() => undefined);
    for (const r of restore.reverse()) await r();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Build Image asks the build args and the stage the Dockerfile declares, streams the output and selects the image', async () => {
    const root = writeBuildContext(dir, {
      Dockerfile: `ARG BASE=${BASE}\nFROM \${BASE} AS tools\nRUN echo tools > /tools\nFROM \${BASE} AS runtime\nARG FLAVOUR\nCOPY --from=tools /tools /tools\nRUN echo "flavour $FLAVOUR"\n`,
    });
    const tag = `regx-ext-build-${run}/app:dev`;
    images.push(tag);
    const capture = captureWindow({
      inputBox: (input) => {
        if (input.prompt?.startsWith('Name and tag')) return tag;
        if (input.prompt?.startsWith('Build arguments')) return 'FLAVOUR=vanilla';
        return undefined;
      },
      quickPick: () => 'runtime',
    });
    let outcome: BuildOutcome | undefined;
    try {
      outcome = await vscode.commands.executeCommand<BuildOutcome>('registryExplorer.buildImage', vscode.Uri.file(path.join(root, 'Dockerfile')));
    } finally {
      capture.dispose();
    }
    assert.ok(outcome, `built; messages: ${capture.texts().join(' | ')}`);
    // The prompts: the name suggested from the folder, the declared ARGs named, the stages offered.
    const nameBox = capture.inputs.find((i) => i.prompt?.startsWith('Name and tag'));
    assert.equal(nameBox?.value, `${path.basename(root).toLowerCase()}:latest`);
    assert.match(capture.inputs.find((i) => i.prompt?.startsWith('Build arguments'))?.prompt ?? '', new RegExp(`declared: BASE=${BASE.replace(/[.:]/g, '\\$&')}, FLAVOUR`));
    assert.deepEqual(capture.picks[0]?.items, ['Whole Dockerfile', 'tools', 'runtime']);
    assert.ok(outcome.output.includes('flavour vanilla'), outcome.output.join('\n'));
    assert.match(outcome.imageId, /^sha256:[0-9a-f]{64}$/);
    assert.match(capture.texts('info').join('\n'), new RegExp(`Built ${tag.replace(/[/.:]/g, '\\$&')} \\(${outcome.imageId.slice(7, 19)}\\)`));
    const node = await waitFor('the built image in Local Images', () => api.images.find(tag));
    assert.equal(node.image.id, outcome.imageId);
  });

  test('a failing step: the error names the Dockerfile line, and the Dockerfile opens there', async () => {
    const root = writeBuildContext(dir, { 'docker/app.Dockerfile': `FROM ${BASE}\n\nRUN echo "about to fail" && exit 7\n` });
    const capture = captureWindow({ inputBox: () => `regx-ext-build-${run}/broken:1` });
    try {
      const outcome = await vscode.commands.executeCommand('registryExplorer.buildImage', vscode.Uri.file(path.join(root, 'docker/app.Dockerfile')));
      assert.equal(outcome, undefined);
    } finally {
      capture.dispose();
    }
    const error = capture.texts('error').join('\n');
    assert.match(error, /The build failed at app\.Dockerfile line 3 \(step 2\/2: RUN echo "about to fail" && exit 7\): The command exited with code 7\./);
    assert.match(error, /about to fail/);
    const editor = await waitFor('the Dockerfile at the failing line', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.fileName.endsWith('app.Dockerfile') ? e : undefined;
    });
    assert.equal(editor.selection.start.line, 2);
  });

  test('Build and Push builds with the registry name and pushes the tag there', async () => {
    const svc = services()!;
    const root = writeBuildContext(dir, { Dockerfile: `FROM ${BASE}\nRUN echo pushed-build > /marker\n` });
    const repository = `regx-ext-build-${run}/pushed`;
    images.push(`${svc.open.host}/${repository}:1.0`);
    const result = await vscode.commands.executeCommand<{ build: BuildOutcome; push: { digest: string } }>(
      'registryExplorer.buildAndPush',
      undefined,
      undefined,
      { dockerfile: path.join(root, 'Dockerfile'), registry: svc.open.host, repository, tag: '1.0', buildArgs: {}, target: null },
    );
    assert.ok(result, 'built and pushed');
    assert.deepEqual(result.build.tags, [`${svc.open.host}/${repository}:1.0`]);
    const res = await fetch(`http://${svc.open.host}/v2/${repository}/manifests/1.0`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), result.push.digest);
  });

  test('registry-explorer tasks from tasks.json run in their terminal: a build exits 0, a broken definition exits 1', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0] ?? skip('no workspace folder');
    const name = `task-${run}`;
    const root = path.join(folder.uri.fsPath, name);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'Dockerfile'), `FROM ${BASE}\nARG V\nRUN echo "task build $V"\n`);
    const tag = `regx-ext-build-${run}/task:1`;
    images.push(tag);
    fs.mkdirSync(path.join(folder.uri.fsPath, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(folder.uri.fsPath, '.vscode', 'tasks.json'), JSON.stringify({
      version: '2.0.0',
      tasks: [
        { label: `${name} build`, type: 'registry-explorer', action: 'build', dockerfile: `${name}/Dockerfile`, tags: [tag], buildArgs: { V: '42' } },
        { label: `${name} broken`, type: 'registry-explorer', action: 'build', dockerfile: `${name}/Dockerfile`, push: true },
      ],
    }, null, 2));
    try {
      const taskNamed = (label: string) => waitFor(`the task "${label}"`, async () => (await vscode.tasks.fetchTasks({ type: 'registry-explorer' })).find((t) => t.name === label), 15_000, 300);
      // The Run Task picker also offers a build for each Dockerfile in the workspace.
      assert.ok(await waitFor('the provided build task', async () => (await vscode.tasks.fetchTasks({ type: 'registry-explorer' })).find((t) => t.name === `build ${name}/Dockerfile`)));
      const exitCode = async (task: vscode.Task): Promise<number | undefined> => {
        const ended = new Promise<number | undefined>((resolve) => {
          const sub = vscode.tasks.onDidEndTaskProcess((e) => {
            if (e.execution.task.name === task.name) {
              sub.dispose();
              resolve(e.exitCode);
            }
          });
        });
        await vscode.tasks.executeTask(task);
        return ended;
      };
      assert.equal(await exitCode(await taskNamed(`${name} build`)), 0);
      await api.images.refresh();
      assert.ok(await waitFor('the task-built image', () => api.images.find(tag)));
      assert.equal(await exitCode(await taskNamed(`${name} broken`)), 1);
    } finally {
      fs.rmSync(path.join(folder.uri.fsPath, '.vscode'), { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
