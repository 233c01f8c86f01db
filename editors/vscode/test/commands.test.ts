import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { commandArguments, convertSummary, EDITOR_COMMANDS, runTargets, SERVER_COMMANDS } from "../src/commands";

const manifest = JSON.parse(readFileSync("package.json", "utf-8")) as {
  contributes: { commands: { command: string; title: string }[] };
};

test("package.json contributes exactly the commands the extension registers", () => {
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  const registered = [...Object.values(SERVER_COMMANDS), ...Object.values(EDITOR_COMMANDS)].sort();
  assert.deepEqual(contributed, registered);
  for (const id of contributed) {
    assert.match(id, /^mindport\.[a-zA-Z]+$/);
  }
});

test("from the palette the active document's URI is the first argument", () => {
  assert.deepEqual(commandArguments([], "file:///w/model.py"), ["file:///w/model.py"]);
  assert.equal(commandArguments([], undefined), undefined);
});

test("a URI from the explorer becomes its string", () => {
  const uri = { scheme: "file", fsPath: "/w/a b.py", toString: () => "file:///w/a%20b.py" };
  assert.deepEqual(commandArguments([uri, [uri]], "file:///w/other.py"), ["file:///w/a%20b.py", [uri]]);
});

test("a code lens's own arguments pass through", () => {
  assert.deepEqual(commandArguments(["file:///w/m.py", "Net"], "file:///w/x.py"), ["file:///w/m.py", "Net"]);
  assert.deepEqual(commandArguments([{ uri: "file:///w/m.py", factory: "Net" }], undefined), [
    { uri: "file:///w/m.py", factory: "Net" },
  ]);
});

test("run targets come from the server's lenses for that command, one per factory", () => {
  const align = (factory: string) => ({
    command: { command: "mindport.runAlignment", arguments: [{ uri: "file:///w/m.py", factory }] },
  });
  const profile = { command: { command: "mindport.runProfile", arguments: [{ uri: "file:///w/m.py", factory: "Net" }] } };
  const targets = runTargets([align("Net"), profile, align("make_model"), align("Net"), {}], "mindport.runAlignment");
  assert.deepEqual(
    targets.map((t) => t.label),
    ["Net", "make_model"],
  );
  assert.deepEqual(targets[1].arguments, [{ uri: "file:///w/m.py", factory: "make_model" }]);
  assert.deepEqual(runTargets(null, "mindport.runProfile"), []);
});

test("the convert summary says what was written, or why not", () => {
  assert.deepEqual(
    convertSummary({ created: true, uri: "file:///w/my%20model_ms.py", found: 5, converted: 4, marked: 1 }),
    { text: "mindport: wrote my model_ms.py: 4 of 5 torch sites converted; 1 left with a `# mindport:` marker", problem: false },
  );
  assert.equal(
    convertSummary({ created: true, uri: "file:///w/m_ms.py", found: 2, converted: 2, marked: 0 })?.text,
    "mindport: wrote m_ms.py: 2 of 2 torch sites converted",
  );
  assert.deepEqual(convertSummary({ created: false, error: "does not parse" }), {
    text: "mindport: conversion failed: does not parse",
    problem: true,
  });
  assert.equal(convertSummary({ created: false, reason: "kept the existing file" })?.problem, false);
  assert.equal(convertSummary(null), undefined);
});
