/**
 * The application menu: Electron's standard menus (its roles, so every platform gets its
 * own), with a Help menu that opens the log folder — the one place the desktop app's
 * errors are written.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface AppMenuOptions {
  platform: NodeJS.Platform;
  /** Opens the folder of the app's log file. */
  openLogFolder(): void;
}

/** The menu bar, as a template. */
export function appMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  return [
    ...(options.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Open log folder', click: () => options.openLogFolder() }],
    },
  ];
}

/** Sets the menu bar of every window (and macOS's). */
export function installAppMenu(options: AppMenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(options)));
}
