// `regx tags REPO`: every tag of a repository, sorted, one per line.
import { parseRepository } from '../../reference';
import { expectPositionals } from '../args';
import { clientFor } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'tags',
  synopsis: 'regx tags REPO',
  summary: 'List every tag of a repository, sorted.',
  async run(args, ctx) {
    const [repoText] = expectPositionals(args, ['REPO'], 'tags');
    const repo = parseRepository(repoText);
    // Sorted and without repeats already (listAllTags).
    const tags = await clientFor(ctx, repo.registry).listAllTags(repo.repository, { signal: ctx.signal });
    if (ctx.json) ctx.out(jsonText(tags));
    else if (tags.length) ctx.out(tags.join('\n'));
  },
};
