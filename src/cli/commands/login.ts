// `regx login REGISTRY -u USER [--password-stdin]`: checks the credentials against the registry
// first (a ping and, for token registries, a token exchange), and only then stores them where
// `docker login` would: $DOCKER_CONFIG/config.json or its credential helper. A password is never
// taken from argv, where `ps` and shell history would keep it. `regx login REGISTRY` without -u, for a
// cloud registry that signs in with the cloud's own credentials (ECR: the AWS chain; ACR: the ambient
// Azure credentials; Artifact Registry / gcr.io: Application Default Credentials), checks them with
// the registry and stores nothing, since regx asks them for a fresh token on every run.
import { login } from '../../distribution/session';
import { CancelledError } from '../../errors/errors';
import { expectPositionals, flagBool, flagString, UsageError } from '../args';
import type { AcrProvider } from '../../registries/acr';
import { registryKindFor, type RegistryKind } from '../../registries';
import { endpointFor, providerForCli, registryArgument, transportFor } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

/**
 * Self-hosted products whose sign-in regx checks through the provider. Docker Hub, GHCR and GitLab check
 * theirs against their web APIs, which docker login does not need, so they keep the registry's check.
 */
const SIGNS_IN_ITSELF = new Set(['harbor', 'quay', 'artifactory', 'acr', 'artifact-registry']);

/** Cloud registries whose sign-in needs nothing typed: the cloud's own credentials, where the user has them. */
const AMBIENT_SIGN_IN: Partial<Record<RegistryKind, string>> = {
  ecr: 'the AWS credential chain (AWS_PROFILE, ~/.aws/config)',
  acr: 'your Azure credentials (az login, environment, managed identity)',
  'artifact-registry': "Google's Application Default Credentials",
};

export const command: CliCommand = {
  name: 'login',
  synopsis: 'regx login REGISTRY [-u USER [--password-stdin]]',
  summary: 'Check credentials with the registry and store them as docker login does.',
  flags: [
    { name: 'username', short: 'u', takesValue: true, description: 'user name' },
    { name: 'password-stdin', description: 'read the password (or token) from stdin' },
    // Declared only to refuse it with a clear reason instead of "unknown flag".
    { name: 'password', short: 'p', takesValue: true, description: 'not accepted: use --password-stdin' },
  ],
  async run(args, ctx) {
    if (args.flags.password !== undefined) {
      throw new UsageError('refusing a password on the command line (ps and shell history would keep it): pipe it to --password-stdin', 'login');
    }
    const [registryText] = expectPositionals(args, ['REGISTRY'], 'login');
    const registry = registryArgument(ctx, registryText);
    const username = flagString(args, 'username');
    const kind = registryKindFor(registry).kind;
    const ambient = AMBIENT_SIGN_IN[kind];
    if (!username && !flagBool(args, 'password-stdin') && ambient) {
      // Checked with the registry; nothing to store, since every run asks the cloud for a fresh token
      // (tokens never go into config.json).
      const provider = await providerForCli(ctx, registry);
      const account =
        kind === 'acr' ? (await (provider as AcrProvider).signInWithEntra(ctx.signal)).username : (await provider.signIn!({ secret: '', signal: ctx.signal })).username;
      if (ctx.json) ctx.out(jsonText({ registry, username: account, status: 'Login Succeeded', stored: false }));
      else ctx.out(`Login Succeeded (${account}; nothing stored: regx asks ${ambient} for a fresh registry token on every run)`);
      return;
    }
    if (!username) throw new UsageError('missing -u USER', 'login');

    let password: string;
    if (flagBool(args, 'password-stdin')) {
      // Drop the one line ending `echo` or a file adds; the rest is the secret as given.
      password = (await ctx.readStdin()).replace(/\r?\n$/, '');
    } else if (process.stdin.isTTY) {
      password = await promptHidden('Password: ');
    } else {
      throw new UsageError('no terminal to ask for the password on: pipe it to --password-stdin', 'login');
    }
    if (!password) throw new UsageError('the password is empty', 'login');

    const credential = { username, password };
    const provider = await providerForCli(ctx, registry);
    if (SIGNS_IN_ITSELF.has(provider.kind) && provider.signIn) {
      // Checked the registry's own way (Quay's OAuth tokens, Harbor's robots, ACR's admin user and tokens), refused in its words, then stored.
      await provider.signIn({ username, secret: password, signal: ctx.signal });
    } else {
      await login(endpointFor(ctx, registry), credential, { transport: transportFor(ctx), signal: ctx.signal });
      await ctx.credentials.store(registry, credential);
    }
    if (ctx.json) ctx.out(jsonText({ registry, username, status: 'Login Succeeded' }));
    else ctx.out('Login Succeeded');
  },
};

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        // Ctrl-C in raw mode arrives as a character, not a signal.
        if (ch === '\u0003') return finish(new CancelledError());
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
