// `regx images [REPO[:TAG]]`: the local engine's images, like `docker images`.
import { flagBool, UsageError } from '../args';
import { withEngine } from '../engine';
import { formatBytes, jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'images',
  synopsis: 'regx images [REPO[:TAG]]',
  summary: 'List the images in the local Docker engine.',
  flags: [
    { name: 'all', short: 'a', description: 'include intermediate images' },
    { name: 'digests', description: 'show repo digests' },
  ],
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`, 'images');
    const images = await withEngine(ctx, (engine) =>
      engine.listImages({ all: flagBool(args, 'all'), reference: args.positionals[0], signal: ctx.signal }),
    );
    if (ctx.json) {
      ctx.out(jsonText(images));
      return;
    }
    const showDigests = flagBool(args, 'digests');
    const rows: string[][] = [['REPOSITORY', 'TAG', ...(showDigests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE']];
    for (const img of images) {
      const shortId = img.id.replace(/^sha256:/, '').slice(0, 12);
      const names = img.repoTags.length ? img.repoTags : ['<none>:<none>'];
      for (const name of names) {
        const colon = name.lastIndexOf(':');
        const repo = colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
        const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '<none>';
        const digest = img.repoDigests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
        rows.push([repo, tag, ...(showDigests ? [digest] : []), shortId, img.created.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), formatBytes(img.size)]);
      }
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    ctx.out(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ')).join('\n'));
  },
};
