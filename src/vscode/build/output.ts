// The "Registry Explorer: Build" output channel: every build's output, as it arrives. Created on the
// first build, so a user who never builds never sees it in the list.
import * as vscode from 'vscode';

let channel: vscode.OutputChannel | undefined;

export function buildOutput(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('Registry Explorer: Build');
  return channel;
}

export function buildOutputDisposable(): vscode.Disposable {
  return new vscode.Disposable(() => {
    channel?.dispose();
    channel = undefined;
  });
}
