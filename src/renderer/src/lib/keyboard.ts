/**
 * The keyboard map: one pure function from a key press to a command, so the shortcuts are
 * testable and listed in one place. Ctrl on Linux/Windows, Cmd on macOS.
 */

/** What the app does in answer to a shortcut. */
export type KeyCommand =
  | 'open-switcher'
  | 'focus-filter'
  | 'toggle-pause'
  | 'jump-to-live'
  | 'open-export'
  | 'close'
  | 'select-next'
  | 'select-previous';

/** The parts of a KeyboardEvent the map looks at. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export interface KeyContext {
  /** macOS: the command key is Cmd, not Ctrl. */
  mac: boolean;
  /** Focus is in a text field (or a control that uses the key itself): plain keys belong to it. */
  typing: boolean;
  /** Focus is in the event list: arrow keys move the selection. */
  inList: boolean;
}

/** Shortcuts as the help text shows them. */
export const SHORTCUTS: readonly { keys: string; what: string }[] = [
  { keys: 'Ctrl/Cmd+K', what: 'switch tab, view or hub' },
  { keys: 'Ctrl/Cmd+F', what: 'focus the filter' },
  { keys: 'Space', what: 'pause / resume the list' },
  { keys: 'End', what: 'jump to live' },
  { keys: 'Ctrl/Cmd+E', what: 'export' },
  { keys: '↑ / ↓', what: 'previous / next event (in the list)' },
  { keys: 'Esc', what: 'close the pane or dialog' },
];

/** Maps a key press to a command, or null when the app should leave it alone. */
export function commandForKey(press: KeyPress, context: KeyContext): KeyCommand | null {
  const primary = context.mac ? press.metaKey && !press.ctrlKey : press.ctrlKey && !press.metaKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (primary && !press.altKey) {
    if (key === 'k') return 'open-switcher';
    if (key === 'f') return 'focus-filter';
    if (key === 'e') return 'open-export';
    return null;
  }
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  if (key === 'Escape') return 'close';
  if (context.typing) return null;
  if (key === ' ' || key === 'Spacebar') return 'toggle-pause';
  if (key === 'End') return 'jump-to-live';
  if (context.inList && key === 'ArrowDown') return 'select-next';
  if (context.inList && key === 'ArrowUp') return 'select-previous';
  return null;
}

/** True for a platform string of macOS (`navigator.platform`/`userAgentData`). */
export function isMacPlatform(platform: string): boolean {
  return /mac|iphone|ipad/i.test(platform);
}
