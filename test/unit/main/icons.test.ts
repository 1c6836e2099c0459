import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawAppIcon, drawStatusIcon, encodePng, LEVEL_COLORS } from '../../../src/main/icons';

function decode(png: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.subarray(at + 4, at + 8).toString('latin1') === 'IDAT')
      idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return {
    width,
    height,
    pixel: (x, y) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 1 + x * 4 + 4)],
  };
}

describe('the drawn icons', () => {
  it('encode as valid RGBA PNGs of the asked size', () => {
    const png = decode(encodePng(drawStatusIcon('ok', 32)));
    expect([png.width, png.height]).toEqual([32, 32]);
  });

  it('show the state colour in the middle of the tray dot and transparency in its corners', () => {
    for (const level of ['ok', 'warn', 'error', 'idle'] as const) {
      const png = decode(encodePng(drawStatusIcon(level, 32)));
      expect(png.pixel(16, 16)).toEqual([...LEVEL_COLORS[level], 255]);
      expect(png.pixel(0, 0)[3]).toBe(0);
    }
  });

  it('draw the app icon on an opaque dark square with the green hub dot', () => {
    const png = decode(encodePng(drawAppIcon(64)));
    expect(png.pixel(32, 4)[3]).toBe(255);
    expect(png.pixel(Math.round(64 * 0.36), 32)).toEqual([...LEVEL_COLORS.ok, 255]);
  });
});
