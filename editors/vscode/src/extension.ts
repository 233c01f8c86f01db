// mindport for VS Code: starts `python -m server.cli serve` from the chosen interpreter and wires
// the server's commands to the palette, the status bar, progress notifications and reports.
import { execFile } from "node:child_process";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import {
  commandArguments,
  convertSummary,
  EDITOR_COMMANDS,
  LONG_RUNNING,
  NEEDS_FACTORY,
  runTargets,
  SERVER_COMMANDS,
} from "./commands";
import {
  chooseInterpreter,
  installCommand,
  type Interpreter,
  notInstalledMessage,
  PROBE_ARGS,
  SERVE_ARGS,
} from "./interpreter";
import { showServerProgressAsNotifications } from "./progress";
import { isReport, openReport, type ReportViewer } from "./report";
import { serverSettings } from "./settings";
import { doctorSummary, startingStatus, statusFromDoctor } from "./status";

const SECTION = "mindport";
let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem;
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("mindport");
  statusItem = vscode.window.createStatusBarItem("mindport.status", vscode.StatusBarAlignment.Left);
  statusItem.name = "mindport";
  statusItem.command = SERVER_COMMANDS.doctor;
  context.subscriptions.push(output, statusItem);

  for (const command of Object.values(SERVER_COMMANDS)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command, (...args: unknown[]) => runServerCommand(command, args)),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand(EDITOR_COMMANDS.showServerLog, () => output.show(true)),
    vscode.commands.registerCommand(EDITOR_COMMANDS.restartServer, () => restart(context)),
    // Trust changes what the server may run: start it again with the new answer.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart(context)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      if (event.affectsConfiguration(`${SECTION}.interpreter`)) {
        void restart(context);
      } else if (client?.state === State.Running) {
        // settings: null makes the server pull them through workspace/configuration, which
        // the middleware below filters to the server's keys.
        void client.sendNotification("workspace/didChangeConfiguration", { settings: null });
        updateStatusDevice();
        // The doctor's verdict depends on the device and on the interpreter that runs models.
        if (event.affectsConfiguration(`${SECTION}.device`) || event.affectsConfiguration(`${SECTION}.python`)) {
          void runDoctor(false);
        }
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function device(): string {
  return config().get<string>("device") ?? "CPU";
}

function updateStatusDevice(): void {
  statusItem.text = statusItem.text.replace(/mindport \S+?(:|$)/, `mindport ${device()}$1`);
}

async function resolveInterpreter(): Promise<Interpreter> {
  const setting = config().get<string>("interpreter");
  let fromExtension: string | undefined;
  if (!setting?.trim()) {
    fromExtension = await pythonExtensionInterpreter();
  }
  return chooseInterpreter(setting, fromExtension);
}

/** The Python extension's active interpreter, when that extension is installed. */
async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    const api = (await extension.activate()) as {
      environments?: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
      };
    };
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    return api.environments?.getActiveEnvironmentPath(resource)?.path;
  } catch (error) {
    output.appendLine(`mindport: could not ask the Python extension for its interpreter: ${error}`);
    return undefined;
  }
}

function probe(interpreter: Interpreter): Promise<{ ok: boolean; version: string; stderr: string }> {
  return new Promise((resolve) => {
    // The same folder the server starts in (a checkout's `server` package counts there too).
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    execFile(interpreter.command, [...PROBE_ARGS], { timeout: 60_000, cwd }, (error, stdout, stderr) => {
      resolve({ ok: !error, version: stdout.trim(), stderr: error && !stderr ? String(error) : stderr });
    });
  });
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  statusItem.text = startingStatus(device()).text;
  statusItem.tooltip = startingStatus(device()).tooltip;
  statusItem.show();
  const interpreter = await resolveInterpreter();
  const found = await probe(interpreter);
  if (!found.ok) {
    const source = config().get<string>("installSource")?.trim() || "mindport";
    const message = notInstalledMessage(interpreter, found.stderr, source);
    output.appendLine(message);
    statusItem.text = `$(error) mindport not installed`;
    statusItem.tooltip = message;
    const command = installCommand(interpreter.command, source);
    void vscode.window
      .showErrorMessage(message, "Install in Terminal", "Copy Command", "Choose Interpreter")
      .then(async (choice) => {
        if (choice === "Install in Terminal") {
          const terminal = vscode.window.createTerminal("mindport install");
          terminal.show();
          terminal.sendText(command);
        } else if (choice === "Copy Command") {
          await vscode.env.clipboard.writeText(command);
        } else if (choice === "Choose Interpreter") {
          await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.interpreter`);
        }
      });
    return;
  }
  output.appendLine(`mindport ${found.version} from ${interpreter.command} (${interpreter.source})`);

  const serverOptions: ServerOptions = {
    command: interpreter.command,
    // stdio without the `--stdio` flag TransportKind.stdio would append.
    args: [...SERVE_ARGS],
    options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
    ],
    outputChannel: output,
    // The server honours settings that name a program (`python`) from the workspace's
    // pyproject.toml only when the workspace is trusted (docs/security.md).
    initializationOptions: { ...serverSettings(plain(config())), trustedWorkspace: vscode.workspace.isTrusted },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return result.map((value, index) =>
            params.items[index]?.section === SECTION ? serverSettings(value) : value,
          );
        },
      },
      window: {
        showDocument: async (params, next) => {
          const uri = vscode.Uri.parse(params.uri);
          if (isReport(uri)) {
            // Servers ask for HTML reports with external: true (most editors cannot show
            // HTML); here the user's setting decides.
            const viewer = config().get<ReportViewer>("reportViewer") ?? "webview";
            return { success: await openReport(uri, viewer) };
          }
          const result = await next(params, new vscode.CancellationTokenSource().token);
          return result instanceof ResponseError ? { success: false } : result;
        },
      },
    },
  };
  client = new LanguageClient(SECTION, "mindport", serverOptions, clientOptions);
  // The extension registers every mindport.* command itself (palette, status bar, progress);
  // the client's own registration of the server's commands would collide with those ids.
  const executeFeature = client.getFeature(ExecuteCommandRequest.method);
  executeFeature.initialize = () => undefined;
  executeFeature.register = () => undefined;
  try {
    await client.start();
  } catch (error) {
    statusItem.text = `$(error) mindport`;
    statusItem.tooltip = `mindport: the server did not start: ${error}`;
    return;
  }
  context.subscriptions.push(showServerProgressAsNotifications(client));
  registerOtherServerCommands(context);
  if (config().get<boolean>("doctor_at_start") !== false) {
    void runDoctor(false);
  } else {
    statusItem.text = `$(circle-outline) mindport ${device()}`;
    statusItem.tooltip = "mindport: click to run the environment doctor";
  }
}

/** Commands the server offers beyond the known ones (e.g. from code lenses) pass straight through. */
function registerOtherServerCommands(context: vscode.ExtensionContext): void {
  const offered = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  const known = new Set<string>(Object.values(SERVER_COMMANDS));
  for (const command of offered) {
    if (known.has(command)) {
      continue;
    }
    known.add(command);
    try {
      context.subscriptions.push(
        vscode.commands.registerCommand(command, (...args: unknown[]) => runServerCommand(command, args)),
      );
    } catch {
      // registered by an earlier start of the server
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const old = client;
  client = undefined;
  if (old) {
    await old.stop().catch(() => undefined);
  }
  await start(context);
}

function plain(section: vscode.WorkspaceConfiguration): unknown {
  return JSON.parse(JSON.stringify(section));
}

function serverOffers(command: string): boolean {
  const offered = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  return offered.includes(command);
}

async function runDoctor(fromUser: boolean): Promise<unknown> {
  const result = await execute(SERVER_COMMANDS.doctor, []);
  const view = statusFromDoctor(result, device());
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
  statusItem.backgroundColor = view.problem ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  if (fromUser) {
    const show = view.problem ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(doctorSummary(result, device()), "Show Server Log").then((choice) => {
      if (choice) {
        output.show(true);
      }
    });
  }
  return result;
}

async function runServerCommand(command: string, args: unknown[]): Promise<unknown> {
  if (!client || client.state !== State.Running) {
    void vscode.window.showErrorMessage("mindport: the language server is not running (see Show Server Log).");
    return undefined;
  }
  if (!serverOffers(command)) {
    void vscode.window.showWarningMessage(
      `mindport: this server does not offer ${command} yet (update mindport in the interpreter that runs it).`,
    );
    return undefined;
  }
  if (command === SERVER_COMMANDS.doctor) {
    return runDoctor(true);
  }
  const active = vscode.window.activeTextEditor?.document.uri.toString();
  let sent = commandArguments(args, active);
  if (sent === undefined) {
    void vscode.window.showWarningMessage(`mindport: open a Python file first (${command} works on a file).`);
    return undefined;
  }
  if (NEEDS_FACTORY.has(command) && sent.length === 1 && typeof sent[0] === "string") {
    // From the palette or a menu: which model? The server's code lenses list them.
    const picked = await pickRunTarget(command, sent[0]);
    if (picked === undefined) {
      return undefined;
    }
    sent = picked;
  }
  if (!LONG_RUNNING.has(command) || NEEDS_FACTORY.has(command)) {
    // Runs report their own progress (progress.ts); the rest answer at once.
    return execute(command, sent);
  }
  const title = `mindport: ${command.replace(/^mindport\./, "")}`;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () =>
    execute(command, sent),
  );
  if (command === SERVER_COMMANDS.convertFile) {
    const summary = convertSummary(result);
    if (summary) {
      const show = summary.problem ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
      void show(summary.text);
    }
  }
  return result;
}

async function pickRunTarget(command: string, uri: string): Promise<unknown[] | undefined> {
  let lenses: unknown;
  try {
    lenses = await client?.sendRequest("textDocument/codeLens", { textDocument: { uri } });
  } catch (error) {
    output.appendLine(`mindport: code lenses for ${uri} failed: ${error}`);
  }
  const targets = runTargets(Array.isArray(lenses) ? lenses : [], command);
  if (targets.length === 0) {
    void vscode.window.showWarningMessage(
      "mindport: no model here to run: a torch.nn.Module subclass, or a function returning one, callable without arguments.",
    );
    return undefined;
  }
  if (targets.length === 1) {
    return targets[0].arguments;
  }
  const choice = await vscode.window.showQuickPick(
    targets.map((target) => ({ label: target.label, target })),
    { title: "mindport: which model?", placeHolder: "the model factory to run" },
  );
  return choice?.target.arguments;
}

/** workspace/executeCommand; the server shows its own messages, failures are shown here. */
async function execute(command: string, args: unknown[]): Promise<unknown> {
  if (!client) {
    return undefined;
  }
  try {
    return await client.sendRequest(
      ExecuteCommandRequest.type,
      // No `arguments` at all when there are none: pygls then skips matching them to the
      // handler's parameters.
      args.length > 0 ? { command, arguments: args } : { command },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`mindport: ${command} failed: ${message}`);
    return undefined;
  }
}
