// The server's work-done progress (alignment and profile runs) in the notification area with a
// Cancel button. vscode-languageclient shows server-initiated progress in the status bar, where
// no Cancel button appears, so the extension answers window/workDoneProgress/create itself.
import * as vscode from "vscode";
import {
  type LanguageClient,
  type ProgressToken,
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
} from "vscode-languageclient/node";

export function showServerProgressAsNotifications(client: LanguageClient): vscode.Disposable {
  const listeners = new Map<ProgressToken, vscode.Disposable>();
  const handler = client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    let report: ((value: { message?: string; increment?: number }) => void) | undefined;
    let finish: (() => void) | undefined;
    let lastPercentage = 0;
    const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === "begin") {
        void vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: value.title,
            cancellable: value.cancellable === true,
          },
          (progress, cancellation) => {
            cancellation.onCancellationRequested(() => {
              void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
            });
            report = (update) => progress.report(update);
            report({ message: value.message, increment: value.percentage });
            lastPercentage = value.percentage ?? 0;
            return new Promise<void>((resolve) => {
              finish = resolve;
            });
          },
        );
      } else if (value.kind === "report") {
        const increment =
          value.percentage !== undefined ? Math.max(0, value.percentage - lastPercentage) : undefined;
        lastPercentage = value.percentage ?? lastPercentage;
        report?.({ message: value.message, increment });
      } else {
        finish?.();
        listeners.get(token)?.dispose();
        listeners.delete(token);
      }
    });
    listeners.set(token, listener);
  });
  return new vscode.Disposable(() => {
    handler.dispose();
    for (const listener of listeners.values()) {
      listener.dispose();
    }
    listeners.clear();
  });
}
