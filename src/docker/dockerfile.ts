// Just enough of the Dockerfile grammar to talk about a build: its instructions with the lines they
// start on (the engine's "Step 4/7" is the 4th instruction), the stages a --target can name, and the
// ARGs a build can be given. Continuation lines, comments and the `# escape=` directive are read as
// the Dockerfile reference defines them; everything else is the engine's to judge.

export interface DockerfileInstruction {
  /** Upper-cased keyword: FROM, RUN, COPY, … */
  keyword: string;
  /** The instruction as written, continuation lines joined. */
  text: string;
  /** 1-based line the instruction starts on. */
  line: number;
}

export interface DockerfileStage {
  /** The `AS name`, if any. */
  name?: string;
  /** 0-based position among the stages. */
  index: number;
  base: string;
  line: number;
}

export interface DockerfileSummary {
  instructions: DockerfileInstruction[];
  stages: DockerfileStage[];
  /** ARG names, in order, with their default when given. */
  args: { name: string; defaultValue?: string }[];
}

export function readDockerfile(text: string): DockerfileSummary {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives are only honoured before the first instruction or comment that is not one.
  for (const line of lines) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!directive) break;
    if (directive[1].toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }

  const instructions: DockerfileInstruction[] = [];
  let current: { parts: string[]; line: number } | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!current) {
      if (trimmed === '' || trimmed.startsWith('#')) return;
      current = { parts: [], line: i + 1 };
    } else if (trimmed.startsWith('#')) {
      // A comment inside a continued instruction is dropped, not the end of it.
      return;
    }
    const continued = trimmed.endsWith(escape);
    current.parts.push(continued ? trimmed.slice(0, -1).trim() : trimmed);
    if (!continued) {
      const text = current.parts.filter(Boolean).join(' ');
      const keyword = (/^\S+/.exec(text)?.[0] ?? '').toUpperCase();
      instructions.push({ keyword, text, line: current.line });
      current = undefined;
    }
  });
  if (current) {
    const text = current.parts.filter(Boolean).join(' ');
    instructions.push({ keyword: (/^\S+/.exec(text)?.[0] ?? '').toUpperCase(), text, line: current.line });
  }

  const stages: DockerfileStage[] = [];
  const args: DockerfileSummary['args'] = [];
  for (const ins of instructions) {
    const words = ins.text.split(/\s+/).slice(1);
    if (ins.keyword === 'FROM') {
      const rest = words.filter((w) => !w.startsWith('--'));
      const asAt = rest.findIndex((w) => w.toLowerCase() === 'as');
      stages.push({ index: stages.length, base: rest[0] ?? '', line: ins.line, ...(asAt >= 0 && rest[asAt + 1] ? { name: rest[asAt + 1] } : {}) });
    } else if (ins.keyword === 'ARG') {
      for (const word of words) {
        const eq = word.indexOf('=');
        const name = eq >= 0 ? word.slice(0, eq) : word;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || args.some((a) => a.name === name)) continue;
        args.push(eq >= 0 ? { name, defaultValue: word.slice(eq + 1).replace(/^"(.*)"$/, '$1') } : { name });
      }
    }
  }
  return { instructions, stages, args };
}

/** The instruction the engine's "Step N/M" names (N counts every instruction, meta ARGs included). */
export function instructionForStep(summary: DockerfileSummary, step: number): DockerfileInstruction | undefined {
  return summary.instructions[step - 1];
}
