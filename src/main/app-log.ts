/**
 * The desktop app's log file. An all-day tray app started from a desktop menu has no
 * terminal, so what the main process reports — the engine's `console.error`, uncaught
 * errors, hub state changes — is written to `main.log` in the app's log folder
 * (`app.getPath('logs')`), rotated by size with the previous files kept, every line
 * through the workspace's redaction. `hubwatch serve` and `capture` never load this: they
 * keep writing to stderr.
 *
 * electron-log's Node entry does the writing and the rotation. Its Electron entry is not
 * used: it answers IPC from any page (`__ELECTRON_LOG__`), and the app answers IPC on its
 * one checked channel only. The folder is given, so this module needs nothing of Electron.
 */
import { renameSync } from 'node:fs';
import { join, parse } from 'node:path';
import { format } from 'node:util';
import electronLog from 'electron-log/node';

/** The log file's name in the folder; rotated copies are `main.1.log`, `main.2.log`, … */
export const LOG_FILE_NAME = 'main.log';
/** A file past this size is rotated before the next line. */
export const DEFAULT_MAX_LOG_BYTES = 5 * 1024 * 1024;
/** Rotated files kept beside the current one (the oldest beyond this goes). */
export const DEFAULT_KEPT_LOG_FILES = 3;
/** Lines held until the redaction is known; past this the oldest are dropped. */
const MAX_HELD_LINES = 2000;

export interface AppLogOptions {
  /** The log folder: `app.getPath('logs')`. */
  dir: string;
  maxBytes?: number;
  keptFiles?: number;
}

type Level = 'error' | 'warn' | 'info';
/** The console methods `captureConsole` routes here. */
type CapturedConsole = Pick<Console, 'error' | 'warn'>;

let nextLogId = 1;

/** The path of the `index`-th rotated copy of `file` (`main.log` → `main.2.log`). */
export function rotatedLogPath(file: string, index: number): string {
  const parts = parse(file);
  return join(parts.dir, `${parts.name}.${index}${parts.ext}`);
}

/**
 * Moves `main.log` to `main.1.log`, `main.1.log` to `main.2.log`, …, dropping the one
 * past `kept`. Synchronous: electron-log writes the next line right after it returns.
 */
export function rotateLogFiles(file: string, kept: number): void {
  for (let index = kept; index >= 1; index--) {
    const from = index === 1 ? file : rotatedLogPath(file, index - 1);
    try {
      // A rename replaces the target, on Windows too: the oldest copy goes here.
      renameSync(from, rotatedLogPath(file, index));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * One log file for the main process. Lines written before `redactWith` are held in memory
 * (the workspace, which knows the secrets, does not exist yet) and written through the
 * redaction once it is given.
 */
export class AppLog {
  /** The folder the file lives in ("Open log folder" opens it). */
  readonly dir: string;
  /** The current file. */
  readonly file: string;
  private readonly logger: typeof electronLog;
  private redact: ((text: string) => string) | null = null;
  private held: { level: Level; args: unknown[]; date: Date }[] = [];

  constructor(options: AppLogOptions) {
    this.dir = options.dir;
    this.file = join(options.dir, LOG_FILE_NAME);
    const kept = options.keptFiles ?? DEFAULT_KEPT_LOG_FILES;
    const logger = electronLog.create({ logId: `hubwatch-main-${nextLogId++}` });
    // The console keeps its own output (see captureConsole); this logger writes the file only.
    logger.transports.console.level = false;
    const file = logger.transports.file;
    file.level = 'info';
    file.maxSize = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
    file.resolvePathFn = () => this.file;
    file.archiveLogFn = (current) => {
      try {
        rotateLogFiles(current.path, kept);
      } catch (error) {
        // Better a file that grows than lines lost (a rotated copy held open, say): no more
        // rotation this run, and the file says why.
        file.maxSize = 0;
        this.warn(`log rotation failed; ${current.path} grows until Hubwatch restarts:`, error);
      }
    };
    // The last transform sees the finished line: the redaction runs on exactly what is written.
    file.transforms = [...file.transforms, ({ data }) => this.redactLine(String(data))];
    this.logger = logger;
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  /** True once lines are written (through a redaction), no longer held. */
  get redacting(): boolean {
    return this.redact !== null;
  }

  /** Sets the redaction every line goes through (`workspace.redactDiagnostic`), and writes the held lines. */
  redactWith(redact: (text: string) => string): void {
    this.redact = redact;
    const held = this.held;
    this.held = [];
    for (const line of held)
      this.logger.processMessage({ level: line.level, data: line.args, date: line.date });
  }

  /**
   * Copies `console.error` and `console.warn` into the file; they still print as before.
   * The engine reports through the console (it knows nothing of Electron), so this is how
   * its "hubwatch: engine listener failed" reaches the file. Returns the undo.
   */
  captureConsole(target: CapturedConsole = console): () => void {
    const original = { error: target.error, warn: target.warn };
    target.error = (...args: unknown[]) => {
      original.error.apply(target, args);
      this.error(...args);
    };
    target.warn = (...args: unknown[]) => {
      original.warn.apply(target, args);
      this.warn(...args);
    };
    return () => {
      target.error = original.error;
      target.warn = original.warn;
    };
  }

  /**
   * Logs uncaught exceptions and unhandled rejections of `events` (the process). A listener
   * replaces Electron's own error box, so `onUncaught` gets each exception to show one.
   * Returns the undo.
   */
  catchUncaught(
    events: NodeJS.EventEmitter = process,
    onUncaught?: (error: unknown, redacted: string) => void,
  ): () => void {
    const onException = (error: unknown) => {
      this.error('uncaught exception:', error);
      onUncaught?.(error, this.redactLine(describeError(error)));
    };
    const onRejection = (reason: unknown) => this.error('unhandled promise rejection:', reason);
    events.on('uncaughtException', onException);
    events.on('unhandledRejection', onRejection);
    return () => {
      events.removeListener('uncaughtException', onException);
      events.removeListener('unhandledRejection', onRejection);
    };
  }

  private write(level: Level, args: unknown[]): void {
    const date = new Date();
    if (this.redact === null) {
      this.held.push({ level, args, date });
      if (this.held.length > MAX_HELD_LINES) this.held.shift();
      return;
    }
    this.logger.processMessage({ level, data: args, date });
  }

  private redactLine(line: string): string {
    return this.redact === null ? line : this.redact(line);
  }
}

/** An error's stack (or message), or any thrown value, as text. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  return format(error);
}
