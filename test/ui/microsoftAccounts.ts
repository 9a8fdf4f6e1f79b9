// TEST-ONLY: a Microsoft account provider for code-server, which has none (VS Code's own comes with
// desktop VS Code's microsoft-authentication extension). test/ui/run.mjs installs it as its own small
// extension (cloudEnvironment.ts, installMicrosoftAccounts); it registers the provider id 'microsoft'
// that Registry Explorer asks for ACR, so the real vscode.authentication.getSession path runs: VS Code's
// consent prompt, then createSession here. Its account and Entra access token come from the file named
// by REGX_UI_MICROSOFT_ACCOUNT (`{ account, accessToken }`), which the ACR UI test writes with a token
// the ACR emulation issued. Never part of the product bundle.
import * as fs from 'node:fs';
import * as vscode from 'vscode';

interface AccountFile {
  account: string;
  accessToken: string;
}

export function activate(context: vscode.ExtensionContext): void {
  const changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  let sessions: vscode.AuthenticationSession[] = [];
  let created = 0;
  const provider: vscode.AuthenticationProvider = {
    onDidChangeSessions: changed.event,
    async getSessions() {
      return sessions;
    },
    async createSession(scopes) {
      const file = process.env['REGX_UI_MICROSOFT_ACCOUNT'];
      if (!file || !fs.existsSync(file)) throw new Error('No test Microsoft account: REGX_UI_MICROSOFT_ACCOUNT names no file');
      const { account, accessToken } = JSON.parse(fs.readFileSync(file, 'utf8')) as AccountFile;
      const session = { id: `test-${++created}`, accessToken, account: { id: account, label: account }, scopes: [...scopes] };
      sessions = [session];
      changed.fire({ added: [session], removed: [], changed: [] });
      return session;
    },
    async removeSession(id) {
      const gone = sessions.filter((s) => s.id === id);
      sessions = sessions.filter((s) => s.id !== id);
      if (gone.length) changed.fire({ added: [], removed: gone, changed: [] });
    },
  };
  context.subscriptions.push(changed, vscode.authentication.registerAuthenticationProvider('microsoft', 'Microsoft (test)', provider, { supportsMultipleAccounts: false }));
}

export function deactivate(): void {}
