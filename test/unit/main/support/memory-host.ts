/** A WorkspaceHost kept in memory, for tests that need a real Workspace and ApiSession without the desktop app. */
import type { AppInfo, SavedFilter, SecretField, UiSettings } from '../../../../src/shared/api';
import { DEFAULT_UI_SETTINGS } from '../../../../src/shared/api';
import type { HubConfig } from '../../../../src/shared/hub-config';
import type { WorkspaceHost } from '../../../../src/main/engine/workspace/workspace';

export function memoryHost(hubs: HubConfig[] = []): WorkspaceHost & { secrets: Map<string, string> } {
  const secrets = new Map<string, string>();
  let saved = structuredClone(hubs);
  let ui: UiSettings = structuredClone(DEFAULT_UI_SETTINGS);
  let filters: SavedFilter[] = [];
  let muted: string[] = [];
  let next = 1;
  return {
    secrets,
    mode: 'electron',
    platform: 'linux',
    vault: {
      status: (): AppInfo['secretStorage'] => ({ kind: 'memory', detail: 'test' }),
      store: (hubId: string, field: SecretField, value: string) => {
        const ref = `${hubId}/${field}/${next++}`;
        secrets.set(ref, value);
        return Promise.resolve(ref);
      },
      remove: (ref: string) => void secrets.delete(ref),
      get: (ref: string) => secrets.get(ref),
    },
    persistence: {
      loadHubs: () => structuredClone(saved),
      saveHubs: (value) => void (saved = structuredClone(value)),
      loadUi: () => structuredClone(ui),
      saveUi: (value) => void (ui = structuredClone(value)),
      loadFilters: () => structuredClone(filters),
      saveFilters: (value) => void (filters = structuredClone(value)),
      loadMuted: () => [...muted],
      saveMuted: (value) => void (muted = [...value]),
    },
    env: () => undefined,
    chooseExportPath: () => Promise.resolve(null),
    downloadUrl: () => null,
    startDemo: () => Promise.resolve([]),
    demoRunning: () => false,
  };
}
