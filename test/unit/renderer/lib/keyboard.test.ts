import { describe, expect, it } from 'vitest';
import { commandForKey, isMacPlatform, type KeyPress } from '../../../../src/renderer/src/lib/keyboard';

const press = (key: string, modifiers: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...modifiers,
});
const linux = { mac: false, typing: false, inList: false };
const mac = { mac: true, typing: false, inList: false };

describe('the keyboard map', () => {
  it('opens the switcher, focuses the filter and opens export with Ctrl on Linux and Windows', () => {
    expect(commandForKey(press('k', { ctrlKey: true }), linux)).toBe('open-switcher');
    expect(commandForKey(press('F', { ctrlKey: true, shiftKey: true }), linux)).toBe('focus-filter');
    expect(commandForKey(press('e', { ctrlKey: true }), linux)).toBe('open-export');
    expect(commandForKey(press('k', { metaKey: true }), linux)).toBe(null);
  });

  it('uses Cmd instead of Ctrl on macOS', () => {
    expect(commandForKey(press('k', { metaKey: true }), mac)).toBe('open-switcher');
    expect(commandForKey(press('k', { ctrlKey: true }), mac)).toBe(null);
  });

  it('keeps its shortcuts while the operator types in a field', () => {
    expect(commandForKey(press('f', { ctrlKey: true }), { ...linux, typing: true })).toBe('focus-filter');
    expect(commandForKey(press('Escape'), { ...linux, typing: true })).toBe('close');
  });

  it('pauses with Space and jumps to live with End, but not while typing', () => {
    expect(commandForKey(press(' '), linux)).toBe('toggle-pause');
    expect(commandForKey(press('End'), linux)).toBe('jump-to-live');
    expect(commandForKey(press(' '), { ...linux, typing: true })).toBe(null);
    expect(commandForKey(press('End'), { ...linux, typing: true })).toBe(null);
  });

  it('moves the selection with the arrow keys only in the list', () => {
    expect(commandForKey(press('ArrowDown'), { ...linux, inList: true })).toBe('select-next');
    expect(commandForKey(press('ArrowUp'), { ...linux, inList: true })).toBe('select-previous');
    expect(commandForKey(press('ArrowDown'), linux)).toBe(null);
  });

  it('leaves other keys and modified plain keys alone', () => {
    expect(commandForKey(press('a'), linux)).toBe(null);
    expect(commandForKey(press(' ', { altKey: true }), linux)).toBe(null);
    expect(commandForKey(press('k', { ctrlKey: true, altKey: true }), linux)).toBe(null);
  });

  it('recognises macOS platforms', () => {
    expect(isMacPlatform('MacIntel')).toBe(true);
    expect(isMacPlatform('Linux x86_64')).toBe(false);
  });
});
