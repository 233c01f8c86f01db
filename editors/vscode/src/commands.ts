// Command ids: the editor's commands and the server commands (workspace/executeCommand) they call.
// Pure data, no `vscode` import, so node's test runner can check it against package.json.

/** Editor commands that run a server command on the current file (URI as first argument). */
export const SERVER_COMMANDS = {
  convertFile: "mindport.convertFile",
  runAlignment: "mindport.runAlignment",
  runProfile: "mindport.runProfile",
  openReport: "mindport.openReport",
  doctor: "mindport.doctor",
} as const;

/** Editor commands the extension handles itself. */
export const EDITOR_COMMANDS = {
  showServerLog: "mindport.showServerLog",
  restartServer: "mindport.restartServer",
} as const;

/**
 * Server commands that take a while: a spinner in the status bar while they run. The server
 * reports a run's stages itself (work-done progress with a Cancel button, which the language
 * client shows in the notification area).
 */
export const LONG_RUNNING: ReadonlySet<string> = new Set([
  SERVER_COMMANDS.runAlignment,
  SERVER_COMMANDS.runProfile,
  SERVER_COMMANDS.convertFile,
]);

/**
 * The arguments sent with workspace/executeCommand. From a code lens or another command the
 * server's own arguments pass through; from the palette, an editor title or the explorer the
 * first argument is the document URI (a string, as the protocol carries it).
 */
export function commandArguments(
  args: readonly unknown[],
  activeDocument: string | undefined,
): unknown[] | undefined {
  const [first, ...rest] = args;
  if (isUriLike(first)) {
    return [first.toString(), ...rest];
  }
  if (typeof first === "string" && /^[a-z][a-z0-9+.-]*:/i.test(first)) {
    return [first, ...rest];
  }
  if (args.length > 0 && first !== undefined) {
    return [...args];
  }
  return activeDocument === undefined ? undefined : [activeDocument];
}

interface UriLike {
  scheme: string;
  toString(): string;
}

function isUriLike(value: unknown): value is UriLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { scheme?: unknown }).scheme === "string" &&
    typeof (value as { fsPath?: unknown }).fsPath === "string"
  );
}

/** Server commands that run a model: they need a model factory as well as the file. */
export const NEEDS_FACTORY: ReadonlySet<string> = new Set([
  SERVER_COMMANDS.runAlignment,
  SERVER_COMMANDS.runProfile,
]);

export interface RunTarget {
  label: string;
  arguments: unknown[];
}

interface LensLike {
  command?: { command?: string; arguments?: unknown[] };
}

/**
 * The models a run command can take in a file, from the server's own code lenses (one
 * "Align with MindSpore" / "Profile" lens per model factory, arguments `[{uri, factory}]`).
 */
export function runTargets(lenses: readonly LensLike[] | null | undefined, command: string): RunTarget[] {
  const targets: RunTarget[] = [];
  const seen = new Set<string>();
  for (const lens of lenses ?? []) {
    if (lens.command?.command !== command || !lens.command.arguments) {
      continue;
    }
    const [first] = lens.command.arguments;
    const factory =
      typeof first === "object" && first !== null && typeof (first as { factory?: unknown }).factory === "string"
        ? (first as { factory: string }).factory
        : JSON.stringify(lens.command.arguments);
    if (!seen.has(factory)) {
      seen.add(factory);
      targets.push({ label: factory, arguments: lens.command.arguments });
    }
  }
  return targets;
}

/**
 * What to tell the user after mindport.convertFile: `{created, uri, found, converted, marked}`,
 * or `{created: false, error | reason}`. Undefined when the result says nothing to show.
 */
export function convertSummary(result: unknown): { text: string; problem: boolean } | undefined {
  if (typeof result !== "object" || result === null) {
    return undefined;
  }
  const r = result as Record<string, unknown>;
  if (r.created === true) {
    const name = typeof r.uri === "string" ? decodeURIComponent(r.uri.split("/").pop() ?? "") : "the port";
    const marked = typeof r.marked === "number" ? r.marked : 0;
    return {
      text:
        `mindport: wrote ${name}: ${r.converted} of ${r.found} torch sites converted` +
        (marked > 0 ? `; ${marked} left with a \`# mindport:\` marker` : ""),
      problem: false,
    };
  }
  if (typeof r.error === "string" && r.error) {
    return { text: `mindport: conversion failed: ${r.error}`, problem: true };
  }
  if (typeof r.reason === "string" && r.reason) {
    return { text: `mindport: nothing written (${r.reason})`, problem: false };
  }
  return undefined;
}
