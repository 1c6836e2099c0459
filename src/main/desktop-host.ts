/**
 * The desktop app's `WorkspaceHost`: what the engine's workspace needs from Electron —
 * settings in electron-store, secrets in safeStorage, exports through the save dialog, and
 * the demo hub in-process. The browser twin is `src/cli/serve/serve-host.ts`.
 */
import type { ExportRequest } from '../shared/api';
import type { HubConfig } from '../shared/hub-config';
import type { DemoController } from './demo';
import type { SecretVault, WorkspaceHost } from './engine';
import type { DesktopSettings } from './settings';

export interface DesktopHostOptions {
  platform: NodeJS.Platform;
  vault: SecretVault;
  settings: DesktopSettings;
  demo: DemoController;
  chooseExportPath(request: ExportRequest, suggestedName: string): Promise<string | null>;
  env?: (name: string) => string | undefined;
  /** The export format worker built beside the main entry (see `bundledExportWorker`). */
  exportWorker?: URL | null;
}

export function createDesktopHost(options: DesktopHostOptions): WorkspaceHost {
  return {
    mode: 'electron',
    platform: options.platform,
    vault: options.vault,
    persistence: options.settings,
    env: options.env ?? ((name) => process.env[name]),
    chooseExportPath: (request, suggestedName) => options.chooseExportPath(request, suggestedName),
    // Desktop exports are files the operator chose; there is nothing to download.
    downloadUrl: () => null,
    async startDemo(): Promise<HubConfig[]> {
      const hubs = await options.demo.start();
      // Remembered so the next launch starts it again for the hubs that point at it.
      const origin = options.demo.origin();
      if (origin) options.settings.setDemo({ origin });
      return hubs;
    },
    demoRunning: () => options.demo.running(),
    exportWorker: options.exportWorker ?? null,
  };
}
