// Bench-only driver for row 3: `regx inspect` takes one REF, so this inspects many references in
// ONE process through the same code the CLI runs (createCliContext/clientFor: one transport, one
// session and token cache per registry, credentials from $DOCKER_CONFIG) and the same summary
// (RegistryClient.summarize) — what a bulk `regx inspect REF...` would do. Built by bench/run.mjs
// with esbuild into bench/.build/inspect-many.js. Prints one `regx inspect --json` object per line.
//   node inspect-many.js [--concurrency N] REF...
import { clientFor, closeContext, createCliContext } from '../../src/cli/context';
import { inspectJson } from '../../src/cli/output';
import { mapLimit } from '../../src/distribution/concurrency';
import { formatReference, parseReference } from '../../src/reference';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let concurrency = 4; // the extension's DETAIL_CONCURRENCY for per-tag details
  const refs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--concurrency') concurrency = Number(argv[++i]);
    else refs.push(argv[i]);
  }
  const ctx = createCliContext({
    json: true, insecure: false, plainHttp: false, env: process.env,
    stdout: process.stdout, stderr: process.stderr, stdin: process.stdin,
    signal: new AbortController().signal,
  });
  try {
    const lines = await mapLimit(refs, concurrency, async (text) => {
      const ref = parseReference(text);
      const reference = ref.digest ?? ref.tag ?? 'latest';
      const summary = await clientFor(ctx, ref.registry).summarize(ref.repository, reference);
      return JSON.stringify(inspectJson({ ...summary, reference: formatReference({ ...ref, tag: ref.digest ? ref.tag : reference }) }));
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`inspect-many: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await closeContext(ctx);
  }
}

void main().then((code) => process.stdout.write('', () => process.exit(code)));
