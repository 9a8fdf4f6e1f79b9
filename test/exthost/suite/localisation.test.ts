// The manifest's words come from package.nls.json: VS Code resolves each %key% of package.json when
// it loads the extension, so what it shows (command titles, view names) is the bundle's text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, suite, test } from './harness';

interface Manifest {
  contributes: { commands: { command: string; title: string }[]; views: Record<string, { id: string; name: string }[]> };
}

suite('localisation', () => {
  test('commands and views are titled from package.nls.json', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = ext.packageJSON as Manifest;
    const bundle = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const title = manifest.contributes.commands.find((c) => c.command === 'registryExplorer.buildImage')?.title;
    assert.equal(title, 'Build Image…');
    assert.equal(title, bundle['command.buildImage.title']);
    assert.equal(manifest.contributes.views.registryExplorer.find((v) => v.id === 'registryExplorer.registries')?.name, bundle['view.registries.name']);
    assert.ok(!JSON.stringify(manifest.contributes).includes('%command.'), 'no key left unresolved');
  });
});
