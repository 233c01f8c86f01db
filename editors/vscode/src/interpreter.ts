// Which Python runs the server, and what to tell the user when mindport is not installed there.
// Pure, no `vscode` import.

export type InterpreterSource = "setting" | "python-extension" | "default";

export interface Interpreter {
  command: string;
  source: InterpreterSource;
}

/**
 * The interpreter that runs `python -m server.cli serve`: the `mindport.interpreter` setting,
 * else the Python extension's active interpreter, else `python3` from PATH.
 */
export function chooseInterpreter(
  setting: string | undefined,
  pythonExtension: string | undefined,
): Interpreter {
  const fromSetting = setting?.trim();
  if (fromSetting) {
    return { command: fromSetting, source: "setting" };
  }
  const fromExtension = pythonExtension?.trim();
  if (fromExtension) {
    return { command: fromExtension, source: "python-extension" };
  }
  return { command: "python3", source: "default" };
}

/** Arguments that start the language server over stdio with that interpreter. */
export const SERVE_ARGS: readonly string[] = ["-m", "server.cli", "serve"];

/** Arguments that print mindport's installed version, or fail when it is not installed. */
export const PROBE_ARGS: readonly string[] = [
  "-c",
  "import importlib.metadata as m, server.cli; print(m.version('mindport'))",
];

/** Quote a word for a POSIX shell or PowerShell when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) {
    return word;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The exact command that installs mindport into that interpreter. */
export function installCommand(interpreter: string, source = "mindport"): string {
  return `${shellQuote(interpreter)} -m pip install ${shellQuote(source)}`;
}

/** The message shown when the probe failed; `source` is what pip installs. */
export function notInstalledMessage(interpreter: Interpreter, stderr: string, source = "mindport"): string {
  const where =
    interpreter.source === "setting"
      ? "the interpreter set in mindport.interpreter"
      : interpreter.source === "python-extension"
        ? "the Python extension's interpreter"
        : "python3 on PATH";
  const reason = lastLine(stderr);
  return (
    `mindport is not installed in ${where} (${interpreter.command})` +
    (reason ? `: ${reason}` : "") +
    `. Install it with: ${installCommand(interpreter.command, source)}`
  );
}

function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.length > 0 ? lines[lines.length - 1] : "";
}
