/**
 * The root of the UI state: one backend, the stores fed by its pushes, the tabs and their
 * views, and what the operator is looking at (screen, active tab, split, selected event,
 * open dialogs). Components read it and call its methods; only this class talks to the
 * backend about more than one store at a time.
 */
import type {
  AppInfo,
  Backend,
  HistoryInfo,
  HubSaveRequest,
  HubSummary,
  PushMessage,
  SavedFilter,
} from '../../../shared/api';
import type { EntityState } from '../../../shared/entities';
import type { ListRow } from '../../../shared/event-row';
import type { FilterSpec } from '../../../shared/filter';
import type { EntityType, HubEvent } from '../../../shared/hub-event';
import { errorMessage } from '../backend/call-result';
import type { ConnectionStatus } from '../backend/websocket-backend';
import type { FrameScheduler } from '../lib/frame-scheduler';
import { moveInOrder } from '../lib/hub-order';
import { eventChoices } from '../lib/known-events';
import { SeenEvents } from '../lib/seen-events';
import { AlertsStore } from './alerts.svelte';
import { EntitiesStore } from './entities.svelte';
import { ExportsStore } from './exports.svelte';
import { HubsStore } from './hubs.svelte';
import { NoticesStore } from './notices.svelte';
import { SettingsStore } from './settings.svelte';
import { TabView } from './tab-view.svelte';

/** What the main area shows. */
export type Screen =
  { kind: 'live' } | { kind: 'entities'; type: EntityType } | { kind: 'alerts' } | { kind: 'hubs' };

/** The event in the detail pane, and where it is in its tab's list (when known). */
export interface Selection {
  tabId: string;
  hub: string;
  seq: number;
  index: number | null;
}

/** The id of the merged tab (every hub, in arrival order). */
export const ALL_TAB = 'all';

export interface AppStateOptions {
  backend: Backend;
  transport: 'electron' | 'browser';
  scheduler: FrameScheduler;
  /** Subscribes to connection status changes (see BackendHandle.onStatus). */
  onStatus?: (listener: (status: ConnectionStatus) => void) => () => void;
  /** Starts a file download in the browser. */
  download?: (url: string) => void;
}

/** The root of the UI state (see the file comment). */
export class AppState {
  readonly backend: Backend;
  readonly transport: 'electron' | 'browser';
  readonly hubs = new HubsStore();
  readonly entities: EntitiesStore;
  readonly alerts: AlertsStore;
  readonly notices = new NoticesStore();
  readonly settings: SettingsStore;
  readonly exports: ExportsStore;

  info: AppInfo | null = $state.raw(null);
  /** The persistent history: enabled or why not, span and size held, whether writing fails. */
  history: HistoryInfo | null = $state.raw(null);
  connection: ConnectionStatus = $state.raw({
    state: 'connecting',
    attempt: 0,
    retryAt: null,
    detail: null,
    reconnects: 0,
  });
  loading = $state(true);
  loadError: string | null = $state(null);
  screen: Screen = $state.raw({ kind: 'live' });
  activeTab = $state(ALL_TAB);
  /** Which of the two split panes keyboard commands act on. */
  focusedPane: 'main' | 'split' = $state('main');
  selection: Selection | null = $state.raw(null);
  switcherOpen = $state(false);
  exportOpen = $state(false);
  /** The hub editor: null closed; `hubId` null for a new hub. */
  editor: { hubId: string | null } | null = $state.raw(null);
  savedFilters: SavedFilter[] = $state.raw([]);
  /** The clock for ages and countdowns, ticking once a second. */
  now = $state(Date.now());
  demoStarting = $state(false);
  demoError: string | null = $state(null);
  /** The selected entity of each entity view, by key. */
  entitySelection: Partial<Record<EntityType, string>> = $state.raw({});
  /** The event list of the selected entity (entity views). */
  entityTab: TabView | null = $state.raw(null);
  /** Bumped when a new event name is seen (the filter's event picker re-reads it). */
  seenRevision = $state(0);

  /** Tab ids in order: All, then hubs in the operator's order. */
  tabIds: string[] = $derived.by(() => [
    ALL_TAB,
    ...this.hubs.ordered(this.settings.value.tabOrder).map((hub) => hub.id),
  ]);
  /** The tab on the right in split view, when it is a different, existing tab. */
  splitTab: string | null = $derived.by(() => {
    const split = this.settings.value.splitTab;
    return split !== null && split !== this.activeTab && this.tabIds.includes(split) ? split : null;
  });

  readonly #scheduler: FrameScheduler;
  // Not reactive on purpose: `tab()` adds to it while components derive their tab.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #tabs = new Map<string, TabView>();
  readonly #seen = new SeenEvents();
  #lastReconnects = 0;
  #clock: ReturnType<typeof setInterval> | null = null;
  #unsubscribe: (() => void)[] = [];

  constructor(options: AppStateOptions) {
    this.backend = options.backend;
    this.transport = options.transport;
    this.#scheduler = options.scheduler;
    this.entities = new EntitiesStore(options.scheduler);
    this.alerts = new AlertsStore(options.scheduler);
    this.settings = new SettingsStore(options.backend);
    this.exports = new ExportsStore(options.backend, options.download ?? (() => undefined));
    this.#unsubscribe.push(this.backend.onPush((batch) => this.#onPush(batch)));
    if (options.onStatus) this.#unsubscribe.push(options.onStatus((status) => this.#onStatus(status)));
  }

  /** Loads everything the UI shows, then opens the visible views. */
  async start(): Promise<void> {
    this.#clock ??= setInterval(() => {
      this.now = Date.now();
    }, 1000);
    await this.#load();
    this.loading = false;
    await this.#syncViews();
  }

  /** Stops timers and listeners (tests, page unload). */
  stop(): void {
    if (this.#clock) clearInterval(this.#clock);
    this.#clock = null;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    for (const tab of this.#tabs.values()) tab.close();
    this.entityTab?.close();
  }

  async #load(): Promise<void> {
    try {
      const [info, hubs, entities, alerts, filters] = await Promise.all([
        this.backend.call('app.info', null),
        this.backend.call('hubs.list', null),
        this.backend.call('entities.list', null),
        this.backend.call('alerts.list', null),
        this.backend.call('filters.list', null),
        this.settings.load(),
      ]);
      this.info = info;
      this.hubs.set(hubs);
      this.entities.replaceAll(entities);
      this.alerts.replaceAll(alerts);
      this.savedFilters = filters;
      this.loadError = null;
    } catch (error) {
      this.loadError = errorMessage(error);
    }
    // Not part of loading: the app works without knowing the history's state (it is pushed too).
    try {
      this.history = await this.backend.call('history.status', null);
    } catch {
      this.history = null;
    }
  }

  /** Tries loading again after a failure (the "Retry" of the load error). */
  async retryLoad(): Promise<void> {
    this.loading = true;
    await this.#load();
    this.loading = false;
    await this.#syncViews();
  }

  // ── Pushes and the connection ──────────────────────────────────────────────

  #onPush(batch: PushMessage[]): void {
    for (const message of batch) {
      switch (message.name) {
        case 'hubs':
          this.hubs.set(message.payload);
          break;
        case 'view':
          this.#tabForView(message.payload.viewId)?.receive(message.payload);
          break;
        case 'entities':
          this.entities.apply(message.payload);
          break;
        case 'alert':
          this.alerts.receive(message.payload.alert, message.payload.isNew);
          break;
        case 'export':
          this.exports.receive(message.payload);
          break;
        case 'notice':
          this.notices.add(message.payload.level, message.payload.message);
          break;
        case 'history':
          this.history = message.payload;
          break;
        case 'focus':
          void this.showEvent(message.payload.hub, message.payload.seq);
          break;
      }
    }
  }

  #tabForView(viewId: string): TabView | undefined {
    for (const tab of this.#tabs.values()) if (tab.viewId === viewId) return tab;
    if (this.entityTab?.viewId === viewId) return this.entityTab;
    return undefined;
  }

  #onStatus(status: ConnectionStatus): void {
    this.connection = status;
    if (status.state === 'open' && status.reconnects > this.#lastReconnects) {
      this.#lastReconnects = status.reconnects;
      void this.#resync();
    }
  }

  /** After a reconnect the engine holds a new session: reload state and re-open the views. */
  async #resync(): Promise<void> {
    await this.#load();
    const open = [...this.#tabs.values(), ...(this.entityTab ? [this.entityTab] : [])].filter(
      (tab) => tab.viewId !== null,
    );
    await Promise.all(open.map((tab) => tab.reopen()));
    await this.#syncViews();
  }

  // ── Tabs ───────────────────────────────────────────────────────────────────

  /** The view state of a tab (created on first use, with its saved filter). */
  tab(id: string): TabView {
    let tab = this.#tabs.get(id);
    if (!tab) {
      tab = new TabView({
        id,
        scope: id === ALL_TAB ? null : [id],
        filter: this.settings.value.tabFilters[id] ?? {},
        backend: this.backend,
        scheduler: this.#scheduler,
        onFilterChange: (filter) => this.settings.setTabFilter(id, filter),
        onRows: (rows) => this.#noteRows(rows),
      });
      this.#tabs.set(id, tab);
    }
    return tab;
  }

  /** The tab keyboard commands act on (the focused pane's). */
  get focusedTab(): TabView | null {
    if (this.screen.kind === 'entities') return this.entityTab;
    if (this.screen.kind !== 'live') return null;
    const id = this.focusedPane === 'split' && this.splitTab !== null ? this.splitTab : this.activeTab;
    return this.tab(id);
  }

  /** Shows a tab in the live screen (the left pane in split view). */
  selectTab(id: string): void {
    if (id !== ALL_TAB && !this.hubs.byId.has(id)) id = ALL_TAB;
    this.activeTab = id;
    this.focusedPane = 'main';
    this.screen = { kind: 'live' };
    void this.#syncViews();
  }

  /** Shows `id` on the right in split view (null: no split). */
  setSplit(id: string | null): void {
    this.settings.update({ splitTab: id });
    if (id === null) this.focusedPane = 'main';
    void this.#syncViews();
  }

  /** Moves a tab to another position in the tab order. */
  moveTab(id: string, toIndex: number): void {
    this.settings.update({ tabOrder: moveInOrder(this.tabIds.slice(1), id, toIndex) });
  }

  showScreen(screen: Screen): void {
    this.screen = screen;
    if (screen.kind === 'alerts') this.alerts.markSeen();
    void this.#syncViews();
  }

  /**
   * Opens the views on screen and closes the others, so the engine only pushes what is
   * seen. Resolves when the visible ones are open.
   */
  #syncViews(): Promise<void> {
    if (this.loading || this.loadError !== null) return Promise.resolve();
    const visible: string[] = [];
    if (this.screen.kind === 'live') {
      visible.push(this.activeTab);
      if (this.splitTab !== null) visible.push(this.splitTab);
    }
    const opening = visible.map((id) => this.tab(id).open());
    for (const [id, tab] of this.#tabs) {
      if (!visible.includes(id) && tab.viewId !== null) tab.close();
      if (id !== ALL_TAB && !this.hubs.byId.has(id) && this.hubs.loaded) {
        tab.close();
        this.#tabs.delete(id);
      }
    }
    if (this.entityTab) {
      if (this.screen.kind === 'entities') opening.push(this.entityTab.open());
      else this.entityTab.close();
    }
    return Promise.all(opening).then(() => undefined);
  }

  #noteRows(rows: readonly ListRow[]): void {
    if (this.#seen.add(rows)) this.seenRevision++;
  }

  /** Event names to offer in a tab's filter: known for its hubs' dialects, plus seen ones. */
  eventChoices(tabId: string): string[] {
    void this.seenRevision;
    const hubs = tabId === ALL_TAB ? this.hubs.list : this.hubs.list.filter((hub) => hub.id === tabId);
    return eventChoices(
      hubs.map((hub) => hub.dialect),
      this.#seen.namesFor(hubs.map((hub) => hub.id)),
    );
  }

  // ── Selection and the detail pane ──────────────────────────────────────────

  /** Opens an event in the detail pane. */
  select(selection: Selection): void {
    this.selection = selection;
  }

  closeDetail(): void {
    this.selection = null;
  }

  /** Moves the selection up or down the focused tab's list (arrow keys). */
  moveSelection(step: 1 | -1): void {
    const tab = this.focusedTab;
    if (!tab || tab.total === 0) return;
    const current = this.selection && this.selection.tabId === tab.id ? this.selection.index : null;
    let index =
      current === null
        ? step > 0
          ? tab.viewport.first
          : tab.viewport.first + tab.viewport.count - 1
        : current + step;
    index = Math.max(0, Math.min(tab.total - 1, index));
    // Skip marker rows: they have nothing to show in the detail pane.
    for (let tries = 0; tries < 50; tries++) {
      const row = tab.rowAt(index);
      if (row === undefined || row.kind === 'event') break;
      const next = index + step;
      if (next < 0 || next >= tab.total) break;
      index = next;
    }
    const row = tab.rowAt(index);
    if (row?.kind !== 'event') return;
    tab.pause();
    this.selection = { tabId: tab.id, hub: row.hub, seq: row.seq, index };
    const { first, count } = tab.viewport;
    const fullyVisible = Math.max(1, count - 1);
    if (index < first) tab.requestScroll(index);
    else if (index >= first + fullyVisible) tab.requestScroll(index - fullyVisible + 1);
  }

  /**
   * Shows one event: its hub's tab, paused at its row, with the detail pane open (an
   * alert or a desktop notification was clicked).
   */
  async showEvent(hub: string, seq: number): Promise<void> {
    const tabId = this.hubs.byId.has(hub) ? hub : ALL_TAB;
    this.activeTab = tabId;
    this.focusedPane = 'main';
    this.screen = { kind: 'live' };
    void this.#syncViews();
    this.selection = { tabId, hub, seq, index: null };
    const tab = this.tab(tabId);
    tab.pause();
    let event: HubEvent | null;
    try {
      await tab.open();
      event = await this.backend.call('events.get', { hub, seq });
    } catch {
      return;
    }
    if (!event) return;
    let index = await tab.locate(event).catch(() => -1);
    if (index < 0 && Object.keys(tab.filter).length > 0) {
      // The tab's filter hides it: clear the filter so the event can be shown in context.
      await tab.setFilter({});
      tab.pause();
      index = await tab.locate(event).catch(() => -1);
    }
    const current = this.selection;
    if (index < 0 || current === null || current.hub !== hub || current.seq !== seq) return;
    this.selection = { ...current, index };
    tab.requestScroll(Math.max(0, index - 3));
  }

  /** Limits a tab's list to one entity (the detail pane's and entity views' "filter to this"). */
  async filterToEntity(tabId: string, entity: { type: EntityType; id: string }): Promise<void> {
    const tab = this.tab(tabId);
    this.selectTab(tabId);
    await tab.setFilter({ ...tab.filter, entity: { type: entity.type, id: entity.id } });
  }

  // ── Entities ───────────────────────────────────────────────────────────────

  /** Selects an entity in its view; the embedded list shows its events. */
  selectEntity(entity: EntityState): void {
    this.entitySelection = { ...this.entitySelection, [entity.type]: entity.key };
    const id = `entity:${entity.key}`;
    if (this.entityTab?.id === id) return;
    this.entityTab?.close();
    this.entityTab = new TabView({
      id,
      scope: [entity.hub],
      filter: { entity: { type: entity.type, id: entity.id } },
      backend: this.backend,
      scheduler: this.#scheduler,
    });
    if (this.screen.kind === 'entities') void this.entityTab.open();
  }

  /** The selected entity of a type (if it still exists). */
  selectedEntity(type: EntityType): EntityState | undefined {
    const key = this.entitySelection[type];
    return key === undefined ? undefined : this.entities.get(key);
  }

  // ── Hubs ───────────────────────────────────────────────────────────────────

  /** Starts the built-in demo hub and shows its merged timeline. */
  async startDemo(): Promise<void> {
    this.demoStarting = true;
    this.demoError = null;
    try {
      const hubs = await this.backend.call('demo.start', null);
      this.hubs.set(hubs);
      if (this.info) this.info = { ...this.info, demoRunning: true, firstRun: false };
      this.selectTab(ALL_TAB);
    } catch (error) {
      this.demoError = errorMessage(error);
    } finally {
      this.demoStarting = false;
    }
  }

  /** Saves a hub (the editor shows the error next to its field when this throws). */
  async saveHub(request: HubSaveRequest): Promise<HubSummary> {
    const saved = await this.backend.call('hubs.save', request);
    if (request.previousId && request.previousId !== saved.id) {
      this.hubs.remove(request.previousId);
      this.#tabs.get(request.previousId)?.close();
      this.#tabs.delete(request.previousId);
      if (this.activeTab === request.previousId) this.activeTab = saved.id;
    } else {
      // The hub's connection restarts: its open view rescans with the new config.
      const tab = this.#tabs.get(saved.id);
      if (tab?.viewId) void tab.setFilter(tab.filter);
    }
    this.hubs.upsert(saved);
    if (this.info?.firstRun) this.info = { ...this.info, firstRun: false };
    void this.#syncViews();
    return saved;
  }

  async removeHub(id: string): Promise<void> {
    await this.backend.call('hubs.remove', { id });
    this.hubs.remove(id);
    if (this.activeTab === id) this.activeTab = ALL_TAB;
    if (this.settings.value.splitTab === id) this.settings.update({ splitTab: null });
    if (this.selection?.hub === id) this.selection = null;
    const tab = this.#tabs.get(id);
    tab?.close();
    this.#tabs.delete(id);
    if (this.settings.value.tabFilters[id]) this.settings.setTabFilter(id, {});
    void this.#syncViews();
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    this.hubs.expectEnabled(id, enabled);
    try {
      await this.backend.call('hubs.setEnabled', { id, enabled });
    } catch (error) {
      this.hubs.forgetEnabled(id, !enabled);
      throw error;
    }
  }

  async setMuted(hub: string, muted: boolean): Promise<void> {
    await this.backend.call('alerts.setMuted', { hub, muted });
    this.alerts.setMuted(hub, muted);
  }

  async runCommand(hub: string, command: string): Promise<void> {
    await this.backend.call('hubs.runCommand', { id: hub, command });
  }

  // ── Saved filters ──────────────────────────────────────────────────────────

  async saveFilter(name: string, filter: FilterSpec): Promise<void> {
    this.savedFilters = await this.backend.call('filters.save', { name, filter });
  }

  async removeFilter(name: string): Promise<void> {
    this.savedFilters = await this.backend.call('filters.remove', { name });
  }

  // ── Dialogs and keyboard ───────────────────────────────────────────────────

  openEditor(hubId: string | null): void {
    this.editor = { hubId };
  }

  /** Esc: closes the topmost pane or dialog; false when nothing was open. */
  closeTopmost(): boolean {
    if (this.switcherOpen) this.switcherOpen = false;
    else if (this.exportOpen) this.exportOpen = false;
    else if (this.editor !== null) this.editor = null;
    else if (this.selection !== null) this.selection = null;
    else return false;
    return true;
  }
}
