// Reports the server opens with window/showDocument: HTML reports go to a webview or the browser.
import * as path from "node:path";
import * as vscode from "vscode";

export type ReportViewer = "webview" | "browser";

export function isReport(uri: vscode.Uri): boolean {
  return uri.scheme === "file" && uri.path.toLowerCase().endsWith(".html");
}

export async function openReport(uri: vscode.Uri, viewer: ReportViewer): Promise<boolean> {
  if (viewer === "browser") {
    return vscode.env.openExternal(uri);
  }
  const folder = vscode.Uri.file(path.dirname(uri.fsPath));
  const panel = vscode.window.createWebviewPanel(
    "mindport.report",
    `mindport: ${path.basename(path.dirname(uri.fsPath))}`,
    vscode.ViewColumn.Beside,
    // The report is self-contained (inline SVG); scripts stay off.
    { enableScripts: false, localResourceRoots: [folder] },
  );
  const bytes = await vscode.workspace.fs.readFile(uri);
  panel.webview.html = new TextDecoder("utf-8").decode(bytes);
  return true;
}
