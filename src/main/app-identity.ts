import { app } from 'electron';

/**
 * Hubwatch's Application User Model ID: electron-builder's `appId`, which the Windows
 * installer writes into the app's Start-menu shortcut. Windows groups taskbar buttons and
 * attributes toast notifications by this id; without it they show as "electron.app.Hubwatch"
 * or do not show at all.
 */
export const APP_USER_MODEL_ID = 'dev.hubwatch.app';

/**
 * Claims the app's user model id, first thing at startup so that every window and
 * notification carries it. Only Windows has the concept (Electron documents the call as
 * win32-only), so elsewhere this does nothing.
 */
export function claimAppUserModelId(platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
}
