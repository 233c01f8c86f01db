import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { EDITOR_ONLY_KEYS, serverSettings } from "../src/settings";

interface Contribution {
  id: string;
  properties: Record<string, { default?: unknown }>;
}
const manifest = JSON.parse(readFileSync("package.json", "utf-8")) as {
  contributes: { configuration: Contribution[] };
};

test("editor-only keys are dropped, server keys and nested severities kept", () => {
  const sent = serverSettings({
    interpreter: "/opt/venv/bin/python",
    reportViewer: "browser",
    trace: { server: "verbose" },
    device: "Ascend",
    jedi: false,
    severity: { consistent: "hint", unknown: "off" },
  });
  assert.deepEqual(sent, {
    device: "Ascend",
    jedi: false,
    severity: { consistent: "hint", unknown: "off" },
  });
});

test("empty values are left to the server's defaults", () => {
  assert.deepEqual(serverSettings({ python: "", mindspore_version: null, device: "CPU" }), {
    device: "CPU",
  });
});

test("anything but an object gives no settings", () => {
  assert.deepEqual(serverSettings(null), {});
  assert.deepEqual(serverSettings("CPU"), {});
  assert.deepEqual(serverSettings([1, 2]), {});
});

test("the editor section of package.json holds exactly the editor-only keys", () => {
  const editor = manifest.contributes.configuration.find((c) => c.id === "mindport.editor");
  assert.ok(editor, "package.json has a configuration section with id mindport.editor");
  const topLevel = new Set(
    Object.keys(editor.properties).map((key) => key.replace(/^mindport\./, "").split(".")[0]),
  );
  assert.deepEqual([...topLevel].sort(), [...EDITOR_ONLY_KEYS].sort());
});

test("the defaults VS Code returns for the server section go through unchanged except empties", () => {
  const server = manifest.contributes.configuration.find((c) => c.id === "mindport.server");
  assert.ok(server);
  // Rebuild the nested object VS Code's getConfiguration("mindport") returns.
  const section: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(server.properties)) {
    const parts = key.replace(/^mindport\./, "").split(".");
    let node = section;
    for (const part of parts.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = spec.default;
  }
  const sent = serverSettings(section);
  for (const [key, value] of Object.entries(section)) {
    if (value === "") {
      assert.equal(key in sent, false, `${key} is empty and left out`);
    } else {
      assert.deepEqual(sent[key], value, key);
    }
  }
});
