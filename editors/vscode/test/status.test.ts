import assert from "node:assert/strict";
import { test } from "node:test";
import { doctorSummary, statusFromDoctor } from "../src/status";

const healthy = {
  device: "CPU",
  torch_version: "2.13.0",
  mindspore_version: "2.10.0",
  findings: [{ check: "torch", level: "ok", message: "torch 2.13.0 runs on CPU" }],
  blocking: 0,
};

test("a healthy report shows the device with a check mark", () => {
  const view = statusFromDoctor(healthy, "GPU");
  assert.equal(view.text, "$(check) mindport CPU");
  assert.equal(view.problem, false);
  assert.match(view.tooltip, /torch 2\.13\.0, mindspore 2\.10\.0/);
});

test("blocking findings are counted and listed with their fixes", () => {
  const view = statusFromDoctor(
    {
      device: "CPU",
      torch_version: "2.13.0",
      mindspore_version: null,
      findings: [
        { check: "mindspore", level: "error", message: "not installed", blocks_runs: true, fix: "pip install mindspore" },
        { check: "numpy", level: "warning", message: "NumPy 2", blocks_runs: false },
      ],
      blocking: 1,
    },
    "CPU",
  );
  assert.equal(view.text, "$(warning) mindport CPU: 1");
  assert.equal(view.problem, true);
  assert.match(view.tooltip, /mindspore missing/);
  assert.match(view.tooltip, /- mindspore: not installed \(fix: pip install mindspore\)/);
  assert.doesNotMatch(view.tooltip, /NumPy 2/);
});

test("no report is a problem, and the summary is one line", () => {
  assert.equal(statusFromDoctor(undefined, "Ascend").problem, true);
  assert.equal(doctorSummary(healthy, "CPU"), "mindport doctor: nothing blocks runs on CPU (torch 2.13.0, mindspore 2.10.0).");
});
