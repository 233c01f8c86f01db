// The status-bar item's text from the doctor's report (the `mindport.doctor` command's result).
// Pure, no `vscode` import.

export interface DoctorFinding {
  check: string;
  level: string;
  message: string;
  blocks_runs?: boolean;
  fix?: string | null;
}

export interface DoctorResult {
  device?: string;
  python?: string;
  torch_version?: string | null;
  mindspore_version?: string | null;
  findings?: DoctorFinding[];
  blocking?: number;
}

export interface StatusView {
  text: string;
  tooltip: string;
  problem: boolean;
}

export function startingStatus(device: string): StatusView {
  return {
    text: `$(sync~spin) mindport ${device}`,
    tooltip: "mindport: starting the server",
    problem: false,
  };
}

export function statusFromDoctor(result: unknown, device: string): StatusView {
  if (typeof result !== "object" || result === null) {
    return {
      text: `$(question) mindport ${device}`,
      tooltip: "mindport: the environment doctor gave no report. Click to run it again.",
      problem: true,
    };
  }
  const report = result as DoctorResult;
  const shownDevice = report.device ?? device;
  const blocking = (report.findings ?? []).filter((f) => f.blocks_runs);
  const versions = [
    `torch ${report.torch_version ?? "missing"}`,
    `mindspore ${report.mindspore_version ?? "missing"}`,
  ].join(", ");
  if (blocking.length === 0) {
    return {
      text: `$(check) mindport ${shownDevice}`,
      tooltip: `mindport doctor: nothing blocks runs on ${shownDevice} (${versions}). Click to run it again.`,
      problem: false,
    };
  }
  const lines = blocking.map((f) => `- ${f.check}: ${f.message}${f.fix ? ` (fix: ${f.fix})` : ""}`);
  const noun = blocking.length === 1 ? "problem blocks" : "problems block";
  return {
    text: `$(warning) mindport ${shownDevice}: ${blocking.length}`,
    tooltip: [`mindport doctor: ${blocking.length} ${noun} runs (${versions})`, ...lines].join("\n"),
    problem: true,
  };
}

/** One line for a notification after the doctor ran from the status bar or the palette. */
export function doctorSummary(result: unknown, device: string): string {
  const view = statusFromDoctor(result, device);
  return view.tooltip.split("\n")[0].replace(/ Click to run it again\.$/, "");
}
