// What the extension shows a person, captured inside the extension host, and what it asks, answered:
// while a capture is on, vscode.window's messages, quick picks and input boxes are replaced. The suite
// is loaded from the extension's own folder, so it and the extension share one `vscode` API object:
// what the extension calls is what is replaced here. Messages record their text, detail, modality and
// buttons; quick picks their title and item labels; input boxes their prompt and what validateInput
// said about the answer given.
import * as vscode from 'vscode';

export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  text: string;
  modal: boolean;
  detail?: string;
  buttons: string[];
}

export interface ShownPick {
  title?: string;
  placeHolder?: string;
  /** Labels as given, codicons included ("$(shield) Harbor…"). */
  items: string[];
}

export interface ShownInput {
  title?: string;
  prompt?: string;
  value?: string;
  password?: boolean;
  /** What validateInput said about the answer (undefined: accepted). */
  validation?: string;
}

export interface Answers {
  /** The button to press (by its title); undefined dismisses the message. */
  message?: (message: ShownMessage) => string | undefined;
  /** The item to pick: a label, or a pattern its label matches; undefined dismisses the pick. */
  quickPick?: (pick: ShownPick) => string | RegExp | undefined;
  /** The text to enter; undefined dismisses the box. An answer validateInput refuses dismisses it too. */
  inputBox?: (input: ShownInput) => string | undefined;
}

export interface Capture {
  messages: ShownMessage[];
  picks: ShownPick[];
  inputs: ShownInput[];
  /** The messages of one level, as text. */
  texts(level?: ShownMessage['level']): string[];
  /** Put vscode.window back as it was. */
  dispose(): void;
}

type Item = string | vscode.MessageItem;
type Window = Record<string, unknown>;

function labelOf(item: unknown): string {
  return typeof item === 'string' ? item : String((item as { label?: unknown; title?: unknown })?.label ?? (item as { title?: unknown })?.title ?? '');
}

/** Replace vscode.window's prompts until dispose(); unanswered prompts are dismissed. */
export function captureWindow(answers: Answers = {}): Capture {
  const window = vscode.window as unknown as Window;
  const saved = new Map<string, unknown>();
  const capture: Capture = {
    messages: [],
    picks: [],
    inputs: [],
    texts: (level) => capture.messages.filter((m) => !level || m.level === level).map((m) => m.text),
    dispose: () => {
      for (const [name, original] of saved) window[name] = original;
      saved.clear();
    },
  };
  const replace = (name: string, fn: unknown) => {
    saved.set(name, window[name]);
    window[name] = fn;
  };

  const message = (level: ShownMessage['level']) =>
    async (text: string, ...rest: unknown[]): Promise<Item | undefined> => {
      const options = rest[0] && typeof rest[0] === 'object' && !('title' in (rest[0] as object)) ? (rest.shift() as vscode.MessageOptions) : undefined;
      const items = rest as Item[];
      const shown: ShownMessage = { level, text, modal: !!options?.modal, buttons: items.map(labelOf), ...(options?.detail ? { detail: options.detail } : {}) };
      capture.messages.push(shown);
      const press = answers.message?.(shown);
      return press === undefined ? undefined : items.find((i) => labelOf(i) === press);
    };
  replace('showInformationMessage', message('info'));
  replace('showWarningMessage', message('warning'));
  replace('showErrorMessage', message('error'));

  replace('showQuickPick', async (items: unknown, options?: vscode.QuickPickOptions) => {
    const list = (await items) as unknown[];
    const shown: ShownPick = { items: list.map(labelOf), ...(options?.title ? { title: options.title } : {}), ...(options?.placeHolder ? { placeHolder: options.placeHolder } : {}) };
    capture.picks.push(shown);
    const want = answers.quickPick?.(shown);
    if (want === undefined) return undefined;
    const match = (item: unknown) => (typeof want === 'string' ? labelOf(item) === want : want.test(labelOf(item)));
    return options?.canPickMany ? list.filter(match) : list.find(match);
  });

  replace('showInputBox', async (options: vscode.InputBoxOptions = {}) => {
    const shown: ShownInput = {
      ...(options.title ? { title: options.title } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
      ...(options.value !== undefined ? { value: options.value } : {}),
      ...(options.password ? { password: true } : {}),
    };
    capture.inputs.push(shown);
    const answer = answers.inputBox?.(shown);
    if (answer === undefined) return undefined;
    const verdict = await options.validateInput?.(answer);
    const problem = typeof verdict === 'string' ? verdict : verdict?.message;
    if (problem) {
      shown.validation = problem;
      return undefined;
    }
    return answer;
  });
  return capture;
}
