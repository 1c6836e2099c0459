/**
 * One connected UI (the Electron window, or one browser tab of `hubwatch serve`): answers
 * its calls and sends it pushes in batches. Every request is checked against the API
 * schema before it reaches the workspace, and every error comes back as words for the
 * operator. The transports (IPC, WebSocket) only carry what this produces.
 */
import type {
  CallName,
  CallResult,
  CallRequest,
  CallResponse,
  ExportProgress,
  HistoryInfo,
  PushMessage,
  ViewUpdate,
} from '../../../shared/api';
import type { EntityState } from '../../../shared/entities';
import { ApiCallError } from '../../../shared/api';
import { parseRequest } from '../../../shared/api-schema';
import { redactEntity, redactHubEvent, redactRows } from './api-redaction';
import { toHubEvent } from '../event-record';
import { exactPayloadText } from './payload-text';
import { FilterCompileError, type EventView } from '../store/views';
import type { Workspace } from './workspace';

/** How often open views push their new rows: keeps wire-to-screen latency low. */
export const VIEW_PUSH_MS = 50;
/** Rows sent with each view update for following the tail. */
export const DEFAULT_TAIL_SIZE = 200;
/** Longest pushes wait to travel together. */
const PUSH_BATCH_MS = 16;

type Handlers = { [K in CallName]: (request: CallRequest<K>) => Promise<CallResponse<K>> | CallResponse<K> };

interface OpenView {
  view: EventView;
  tailSize: number;
  lastVersion: number;
  lastTotal: number;
  lastScanning: boolean;
}

export class ApiSession {
  private readonly views = new Map<string, OpenView>();
  private outbox: PushMessage[] = [];
  private outboxTimer: NodeJS.Timeout | null = null;
  private readonly viewTimer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private closed = false;
  private readonly handlers: Handlers;

  constructor(
    private readonly workspace: Workspace,
    private readonly send: (batch: PushMessage[]) => void,
  ) {
    this.unsubscribe = workspace.subscribe({
      onHubs: (hubs) => this.queue({ name: 'hubs', payload: hubs }),
      onEntities: (changes) =>
        this.queue({
          name: 'entities',
          payload: { ...changes, changed: this.redactEntities(changes.changed) },
        }),
      // Alerts are built from redacted parts by the engine (see AlertEngine).
      onAlert: (alert, isNew) => this.queue({ name: 'alert', payload: { alert, isNew } }),
      onExport: (progress) => this.queue({ name: 'export', payload: this.redactProgress(progress) }),
      onNotice: (notice) =>
        this.queue({
          name: 'notice',
          payload: { ...notice, message: workspace.redactDiagnostic(notice.message) },
        }),
      onFocus: (event) => this.queue({ name: 'focus', payload: event }),
      onHistory: (status) => this.queue({ name: 'history', payload: this.redactHistory(status) }),
    });
    this.viewTimer = setInterval(() => this.pushViews(), VIEW_PUSH_MS);
    this.viewTimer.unref();
    this.handlers = this.makeHandlers();
  }

  /** Answers one call; never throws. */
  async call(name: unknown, request: unknown): Promise<CallResult<unknown>> {
    const parsed = parseRequest(name, request);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const callName = name as CallName;
    try {
      const handler = this.handlers[callName] as (request: unknown) => unknown;
      const value = await handler(parsed.request);
      return { ok: true, value: value === undefined ? null : value };
    } catch (error) {
      if (error instanceof ApiCallError) {
        return {
          ok: false,
          error: { message: error.message, ...(error.field ? { field: error.field } : {}) },
        };
      }
      if (error instanceof FilterCompileError)
        return { ok: false, error: { message: error.message, field: error.field } };
      return { ok: false, error: { message: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** The UI went away: close its views and stop pushing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.viewTimer);
    if (this.outboxTimer) clearTimeout(this.outboxTimer);
    this.unsubscribe();
    for (const id of this.views.keys()) this.workspace.engine.views.close(id);
    this.views.clear();
  }

  private queue(message: PushMessage): void {
    if (this.closed) return;
    if (message.name === 'alert' && !message.payload.isNew) {
      // A storm updates one alert many times a second: only its latest count needs to travel.
      const id = message.payload.alert.id;
      const queued = this.outbox.findIndex(
        (other) => other.name === 'alert' && other.payload.alert.id === id && !other.payload.isNew,
      );
      if (queued >= 0) {
        this.outbox[queued] = message;
        return;
      }
    }
    this.outbox.push(message);
    if (!this.outboxTimer) {
      this.outboxTimer = setTimeout(() => this.flushOutbox(), PUSH_BATCH_MS);
      this.outboxTimer.unref();
    }
  }

  private flushOutbox(): void {
    this.outboxTimer = null;
    if (this.outbox.length === 0 || this.closed) return;
    const batch = this.outbox;
    this.outbox = [];
    try {
      this.send(batch);
    } catch {
      // One message the transport cannot carry must not take the others with it:
      // send them one by one and leave out only what fails.
      for (const message of batch) {
        try {
          this.send([message]);
        } catch {
          if (this.closed) return;
        }
      }
    }
  }

  /*
   * Redaction is per field (api-redaction.ts): event content and diagnostics are redacted
   * where they are put into a result or a push — rows, records, entities, export errors,
   * notices; summaries and probe reports come redacted from the workspace, alerts from the
   * engine. Ids, names and configs are never touched: the UI edits and keys by them.
   */

  private redactEntities(states: EntityState[]): EntityState[] {
    const redact = this.workspace.redactor;
    return states.map((state) => redactEntity(state, redact));
  }

  private redactProgress(progress: ExportProgress): ExportProgress {
    return progress.error === null
      ? progress
      : { ...progress, error: this.workspace.redactDiagnostic(progress.error) };
  }

  /** The history's messages are diagnostics (an error may quote a path or a value). */
  private redactHistory(status: HistoryInfo): HistoryInfo {
    if (status.enabled) {
      return status.message === null
        ? status
        : { ...status, message: this.workspace.redactDiagnostic(status.message) };
    }
    return status.problem === null
      ? status
      : { ...status, problem: this.workspace.redactDiagnostic(status.problem) };
  }

  private update(open: OpenView): ViewUpdate {
    const snapshot = open.view.snapshot();
    const tailStart = Math.max(0, snapshot.total - open.tailSize);
    open.lastVersion = snapshot.version;
    open.lastTotal = snapshot.total;
    open.lastScanning = snapshot.scanning;
    return {
      viewId: snapshot.id,
      version: snapshot.version,
      total: snapshot.total,
      scanning: snapshot.scanning,
      progress: snapshot.progress,
      appended: snapshot.appended,
      tail: redactRows(open.view.rows(tailStart, open.tailSize), this.workspace.redactor),
      tailStart,
    };
  }

  private pushViews(): void {
    for (const open of this.views.values()) {
      open.view.compactIfNeeded();
      const view = open.view;
      if (
        view.version === open.lastVersion &&
        view.total === open.lastTotal &&
        view.scanning === open.lastScanning &&
        !view.scanning
      ) {
        continue;
      }
      this.queue({ name: 'view', payload: this.update(open) });
    }
  }

  private openView(id: string): OpenView {
    const open = this.views.get(id);
    if (!open) throw new ApiCallError(`no view "${id}" (it was closed)`, 'viewId');
    return open;
  }

  private makeHandlers(): Handlers {
    const ws = this.workspace;
    const engine = ws.engine;
    return {
      'app.info': () => ws.info(),
      'history.status': () => this.redactHistory(ws.historyStatus()),
      'hubs.list': () => ws.summaries(),
      'hubs.save': (request) => ws.saveHub(request),
      'hubs.remove': ({ id }) => {
        ws.removeHub(id);
        return null;
      },
      'hubs.setEnabled': ({ id, enabled }) => {
        ws.setEnabled(id, enabled);
        return null;
      },
      'hubs.setPaused': ({ paused }) => {
        engine.setPaused(paused);
        return null;
      },
      'hubs.test': (request) => ws.testHub(request),
      'hubs.runCommand': ({ id, command }) => {
        ws.runCommand(id, command);
        return null;
      },
      'demo.start': () => ws.startDemo(),
      'view.open': async ({ filter, tailSize }) => {
        const { view, ready } = engine.views.open(filter);
        await ready;
        const open: OpenView = {
          view,
          tailSize: tailSize ?? DEFAULT_TAIL_SIZE,
          lastVersion: -1,
          lastTotal: -1,
          lastScanning: true,
        };
        this.views.set(view.id, open);
        return this.update(open);
      },
      'view.setFilter': async ({ viewId, filter }) => {
        const open = this.openView(viewId);
        await open.view.setFilter(filter);
        return this.update(open);
      },
      'view.rows': ({ viewId, start, count }) => {
        const open = this.openView(viewId);
        return {
          version: open.view.version,
          total: open.view.total,
          rows: redactRows(open.view.rows(start, count), this.workspace.redactor),
        };
      },
      'view.indexOf': ({ viewId, g }) => this.openView(viewId).view.indexOfG(g),
      'view.indexOfEvent': ({ viewId, hub, seq }) => {
        const view = this.openView(viewId).view;
        const g = engine.store.gOf(hub, seq);
        if (g === null) return -1;
        const index = view.indexOfG(g);
        const row = index < 0 ? undefined : view.rows(index, 1)[0];
        return row?.kind === 'event' && row.hub === hub && row.seq === seq ? index : -1;
      },
      'view.close': ({ viewId }) => {
        this.views.delete(viewId);
        engine.views.close(viewId);
        return null;
      },
      'events.get': ({ hub, seq }) => {
        const record = engine.store.get(hub, seq);
        if (!record) return null;
        return redactHubEvent(toHubEvent(record), this.workspace.redactor);
      },
      'events.detail': ({ hub, seq }) => {
        const record = engine.store.get(hub, seq);
        if (!record) return null;
        const redactor = this.workspace.redactor;
        return {
          event: redactHubEvent(toHubEvent(record), redactor),
          dataText:
            record.raw === null
              ? null
              : exactPayloadText(record.raw, (text) => redactor.payloadString(text, record)),
        };
      },
      'events.names': (request) => engine.eventNames(request?.hubs),
      'entities.list': (request) =>
        this.redactEntities(
          engine.entities
            .list(request?.type ? { type: request.type } : {})
            .map((state) => structuredClone(state)),
        ),
      'alerts.list': () => ({
        alerts: engine.alerts.list(),
        muted: engine.alerts.mutedHubs(),
        rules: engine.alerts.rules(),
      }),
      'alerts.setMuted': ({ hub, muted }) => {
        ws.setMuted(hub, muted);
        return null;
      },
      'filters.list': () => ws.savedFilters(),
      'filters.save': (filter) => ws.saveFilter(filter),
      'filters.remove': ({ name }) => ws.removeFilter(name),
      'export.start': async (request) => this.redactProgress(await ws.startExport(request)),
      'export.cancel': ({ exportId }) => {
        ws.cancelExport(exportId);
        return null;
      },
      'settings.get': () => ws.uiSettings(),
      'settings.set': (patch) => ws.setUiSettings(patch),
    };
  }
}
