// The clouds' side of the UI tier. code-server's extension host reads the AWS / Google environment of
// code-server itself, which is fixed when test/ui/run.mjs starts it, before any test has started an
// emulation; so run.mjs calls startUiClouds() first, and the tests fill in what is only known later:
// - a cloud front (test/emulations/cloudFront.ts) that answers for the clouds' real host names; the
//   cloud tests give it as `http.proxy` and route each host name to their emulation. Its CA is in
//   NODE_EXTRA_CA_CERTS, so the extension's TLS to `<account>.dkr.ecr.<region>.amazonaws.com` verifies;
// - AWS: shared config and credentials files with the ECR emulation's principals (their keys are the
//   emulation's constants), and AWS_ENDPOINT_URL_ECR on one of the front's fixed endpoints;
// - Google: GOOGLE_APPLICATION_CREDENTIALS names a file the Artifact Registry test writes (an ADC file
//   whose token_uri is its emulation's), no metadata server, an empty gcloud folder;
// - Microsoft: the file the test-only account provider (microsoftAccounts.ts) reads its account from.
// The tests reach all of it through uiClouds(): the same process as run.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { startCloudFront, type CloudFront } from '../emulations/cloudFront';
import { ECR_PRINCIPALS } from '../emulations/ecr';

export interface UiClouds {
  front: CloudFront;
  /** The ADC file code-server's GOOGLE_APPLICATION_CREDENTIALS names (absent until a test writes it). */
  googleCredentialsFile: string;
  /** `{ account, accessToken }` for the test Microsoft account provider's next session. */
  microsoftAccountFile: string;
  /** code-server's extra environment. */
  env: Record<string, string>;
  close(): Promise<void>;
}

let current: UiClouds | undefined;

/** The UI tier's clouds, when run.mjs started them. */
export function uiClouds(): UiClouds | undefined {
  return current;
}

/** Where run.mjs installs the test-only Microsoft account provider from (its package.json is written there). */
export const MICROSOFT_ACCOUNTS_EXTENSION = { id: 'regx-test.microsoft-accounts', version: '0.0.1' };

export async function startUiClouds(dir: string): Promise<UiClouds> {
  fs.mkdirSync(path.join(dir, 'gcloud'), { recursive: true });
  const front = await startCloudFront({ endpoints: ['aws'], dir: path.join(dir, 'front') });
  const awsConfig = path.join(dir, 'aws-config');
  const awsCredentials = path.join(dir, 'aws-credentials');
  fs.writeFileSync(awsConfig, '[profile admin]\nregion = us-east-1\n\n[profile reader]\nregion = us-east-1\n');
  fs.writeFileSync(awsCredentials, [
    `[admin]\naws_access_key_id = ${ECR_PRINCIPALS.admin.accessKeyId}\naws_secret_access_key = ${ECR_PRINCIPALS.admin.secretAccessKey}`,
    `[reader]\naws_access_key_id = ${ECR_PRINCIPALS.reader.accessKeyId}\naws_secret_access_key = ${ECR_PRINCIPALS.reader.secretAccessKey}`,
  ].join('\n\n') + '\n');
  const googleCredentialsFile = path.join(dir, 'application_default_credentials.json');
  const microsoftAccountFile = path.join(dir, 'microsoft-account.json');
  current = {
    front,
    googleCredentialsFile,
    microsoftAccountFile,
    env: {
      NODE_EXTRA_CA_CERTS: front.caPath,
      AWS_CONFIG_FILE: awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_ECR: front.endpoints['aws']!,
      GOOGLE_APPLICATION_CREDENTIALS: googleCredentialsFile,
      METADATA_SERVER_DETECTION: 'none',
      CLOUDSDK_CONFIG: path.join(dir, 'gcloud'),
      REGX_UI_MICROSOFT_ACCOUNT: microsoftAccountFile,
    },
    async close() {
      current = undefined;
      await front.close();
    },
  };
  return current;
}

/** Installs the test-only Microsoft account provider into code-server's extensions folder. */
export function installMicrosoftAccounts(extensionsDir: string, compiledModule: string): void {
  const dir = path.join(extensionsDir, `${MICROSOFT_ACCOUNTS_EXTENSION.id}-${MICROSOFT_ACCOUNTS_EXTENSION.version}`);
  fs.mkdirSync(dir, { recursive: true });
  const [publisher, name] = MICROSOFT_ACCOUNTS_EXTENSION.id.split('.');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name,
    publisher,
    displayName: 'Microsoft accounts (UI tests only)',
    version: MICROSOFT_ACCOUNTS_EXTENSION.version,
    engines: { vscode: '^1.90.0' },
    main: './extension.js',
    activationEvents: ['onAuthenticationRequest:microsoft'],
    contributes: { authentication: [{ id: 'microsoft', label: 'Microsoft (test)' }] },
  }, null, 2));
  fs.writeFileSync(path.join(dir, 'extension.js'), `module.exports = require(${JSON.stringify(compiledModule)});\n`);
}
