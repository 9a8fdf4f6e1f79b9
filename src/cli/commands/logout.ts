// `regx logout REGISTRY`: removes stored credentials, as `docker logout` does (config.json or helper).
import { expectPositionals } from '../args';
import { registryArgument } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'logout',
  synopsis: 'regx logout REGISTRY',
  summary: 'Remove the stored credentials for a registry.',
  async run(args, ctx) {
    const [registryText] = expectPositionals(args, ['REGISTRY'], 'logout');
    const registry = registryArgument(ctx, registryText);
    const existing = await ctx.credentials.get(registry);
    if (!existing) {
      // Not an error: the wanted state (logged out) already holds. docker says the same.
      if (ctx.json) ctx.out(jsonText({ registry, removed: false }));
      else ctx.out(`Not logged in to ${registry}`);
      return;
    }
    await ctx.credentials.erase(registry);
    if (ctx.json) ctx.out(jsonText({ registry, removed: true }));
    else ctx.out(`Removing login credentials for ${registry}`);
  },
};
