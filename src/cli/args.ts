// argv parsing for `regx`. Flags may appear anywhere (before or after the command name and the
// positionals), as `--name value`, `--name=value` or a short alias (`-u bob`, `-ubob`); `--` ends
// the flags. An unknown flag is a usage error that names it, so a typo never silently changes
// what a command does.
import type { CliFlagSpec, ParsedArgs } from './types';

/** Bad command line: exit 2 with the synopsis hint. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose synopsis to show, when known. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags every command accepts. */
export const COMMON_FLAGS: CliFlagSpec[] = [
  { name: 'json', description: 'print machine-readable JSON on stdout' },
  { name: 'insecure', description: 'skip TLS certificate verification for the registries named here' },
  { name: 'plain-http', description: 'use plain http:// for the registries named here' },
  { name: 'help', short: 'h', description: 'show help' },
];

function findSpec(specs: CliFlagSpec[], token: string): CliFlagSpec | undefined {
  if (token.startsWith('--')) return specs.find((s) => s.name === token.slice(2));
  return specs.find((s) => s.short !== undefined && s.short === token.slice(1));
}

/**
 * Picks the command name out of argv: the first token that is not a flag or a flag's value.
 * `knownSpecs` is every flag of every command, so `regx -u bob login host` finds `login`, not `bob`.
 */
export function findCommand(argv: string[], knownSpecs: CliFlagSpec[]): { name?: string; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (token.startsWith('-') && token !== '-') {
      const eq = token.indexOf('=');
      // A short flag with its value attached (-ubob) or --name=value carries its own value.
      const bare = eq >= 0 ? token.slice(0, eq) : token;
      const spec = findSpec(knownSpecs, bare);
      const attached = eq >= 0 || (!bare.startsWith('--') && bare.length > 2);
      if (spec?.takesValue && !attached) i++;
      continue;
    }
    return { name: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: argv };
}

/** Parses the tokens after the command name against the flags this command accepts. */
export function parseArgs(argv: string[], specs: CliFlagSpec[], command?: string): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};

  const set = (spec: CliFlagSpec, value: string | boolean) => {
    const previous = flags[spec.name];
    if (spec.takesValue && previous !== undefined) {
      flags[spec.name] = [...(Array.isArray(previous) ? previous : [String(previous)]), String(value)];
    } else {
      flags[spec.name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // "-" alone is a positional by convention (stdin); so is anything not starting with "-".
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }

    let name: string;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      name = eq >= 0 ? token.slice(0, eq) : token;
      inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    } else {
      // -u bob, -ubob, -u=bob
      name = token.slice(0, 2);
      const tail = token.slice(2);
      inline = tail === '' ? undefined : tail.startsWith('=') ? tail.slice(1) : tail;
    }

    const spec = findSpec(specs, name);
    if (!spec) throw new UsageError(`unknown flag: ${name}`, command);
    const display = `--${spec.name}`;

    if (spec.takesValue) {
      let value = inline;
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`flag ${display} needs a value`, command);
        value = argv[++i];
      }
      set(spec, value);
    } else {
      if (inline !== undefined) {
        // --json=true / --yes=false are accepted because scripts generate them; anything else is a mistake.
        if (inline === 'true') set(spec, true);
        else if (inline === 'false') delete flags[spec.name];
        else throw new UsageError(`flag ${display} takes no value (got "${inline}")`, command);
        continue;
      }
      set(spec, true);
    }
  }
  return { positionals, flags };
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

/** The last value given for a value flag (`--page-size 5 --page-size 10` → "10"). */
export function flagString(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  if (value === undefined || typeof value === 'boolean') return undefined;
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** A positive integer flag; a bad value is a usage error naming the flag. */
export function flagPositiveInt(args: ParsedArgs, name: string, command?: string): number | undefined {
  const text = flagString(args, name);
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`flag --${name} needs a positive whole number (got "${text}")`, command);
  }
  return Number(text);
}

/** Checks the number of positionals and names what is missing or extra. */
export function expectPositionals(args: ParsedArgs, names: string[], command: string): string[] {
  const got = args.positionals;
  if (got.length < names.length) {
    throw new UsageError(`missing ${names.slice(got.length).join(' and ')}`, command);
  }
  if (got.length > names.length) {
    throw new UsageError(`unexpected argument "${got[names.length]}"`, command);
  }
  return got;
}

/** Every value given for a repeatable value flag, in order (`-t a -t b` → ["a", "b"]). */
export function flagStrings(args: ParsedArgs, name: string): string[] {
  const value = args.flags[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}
