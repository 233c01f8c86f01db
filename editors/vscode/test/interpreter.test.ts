import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import {
  chooseInterpreter,
  installCommand,
  notInstalledMessage,
  shellQuote,
} from "../src/interpreter";

test("the setting wins, then the Python extension, then python3", () => {
  assert.deepEqual(chooseInterpreter("/venv/bin/python", "/other/python"), {
    command: "/venv/bin/python",
    source: "setting",
  });
  assert.deepEqual(chooseInterpreter("  ", "/other/python"), {
    command: "/other/python",
    source: "python-extension",
  });
  assert.deepEqual(chooseInterpreter(undefined, undefined), {
    command: "python3",
    source: "default",
  });
});

test("the install command names the interpreter, quoted for the shell", () => {
  assert.equal(installCommand("/venv/bin/python"), "/venv/bin/python -m pip install mindport");
  assert.equal(
    installCommand("/home/me/my envs/bin/python"),
    "'/home/me/my envs/bin/python' -m pip install mindport",
  );
});

test("the install source can be a checkout folder", () => {
  assert.equal(
    installCommand("/venv/bin/python", "/home/me/src/mindport"),
    "/venv/bin/python -m pip install /home/me/src/mindport",
  );
  assert.ok(
    notInstalledMessage({ command: "python3", source: "default" }, "", "/src/my port").endsWith(
      "Install it with: python3 -m pip install '/src/my port'",
    ),
  );
});

test("quoted words survive a real shell", () => {
  for (const word of ["plain", "with space", "it's", "$HOME", "a;b"]) {
    const echoed = execFileSync("sh", ["-c", `printf %s ${shellQuote(word)}`]).toString();
    assert.equal(echoed, word);
  }
});

test("the message says where, why and the exact fix", () => {
  const message = notInstalledMessage(
    { command: "/venv/bin/python", source: "setting" },
    "Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'server'\n",
  );
  assert.match(message, /mindport\.interpreter/);
  assert.match(message, /No module named 'server'/);
  assert.ok(message.endsWith("Install it with: /venv/bin/python -m pip install mindport"));
});
