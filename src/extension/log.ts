import * as vscode from 'vscode';

/** The one "Prompt Lab" log channel, with a component tag on every line. Never log secrets. */
export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Prompt Lab', { log: true });
  info(component: string, message: string): void { this.channel.info(`[${component}] ${message}`); }
  warn(component: string, message: string): void { this.channel.warn(`[${component}] ${message}`); }
  error(component: string, message: string): void { this.channel.error(`[${component}] ${message}`); }
  show(): void { this.channel.show(true); }
  dispose(): void { this.channel.dispose(); }
}
