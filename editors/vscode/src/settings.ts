// The settings object sent to the server: the `mindport` configuration section less the keys
// only the editor reads. Pure, no `vscode` import.

/**
 * Keys of the `mindport` section the extension reads itself; never sent to the server (the
 * server reads `interpreter` as an alias of `python`, the interpreter that runs models, which is
 * not the interpreter that runs the server).
 */
export const EDITOR_ONLY_KEYS: readonly string[] = ["interpreter", "installSource", "reportViewer", "trace"];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Server settings from the section as VS Code returns it: editor-only keys dropped, and empty
 * values (`""`, null) dropped so the server keeps its own default (e.g. `python` = the server's
 * interpreter) instead of reporting a bad value.
 */
export function serverSettings(section: unknown): { [key: string]: Json } {
  const result: { [key: string]: Json } = {};
  if (typeof section !== "object" || section === null || Array.isArray(section)) {
    return result;
  }
  for (const [key, value] of Object.entries(section as Record<string, unknown>)) {
    if (EDITOR_ONLY_KEYS.includes(key)) {
      continue;
    }
    const cleaned = clean(value);
    if (cleaned !== undefined) {
      result[key] = cleaned;
    }
  }
  return result;
}

function clean(value: unknown): Json | undefined {
  if (value === null || value === undefined || value === "") {
    return undefined;
  }
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "number") {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => clean(item) ?? null);
  }
  if (typeof value === "object") {
    const inner: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const cleaned = clean(item);
      if (cleaned !== undefined) {
        inner[key] = cleaned;
      }
    }
    return inner;
  }
  return undefined;
}
