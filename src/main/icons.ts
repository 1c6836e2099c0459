/**
 * The app's icons, drawn in code and encoded as PNG: the tray's status dots and the app
 * icon. Drawn rather than shipped as files because electron-builder packs only `out/**`,
 * and an image in memory cannot go missing from a package. `resources/make-icons.mjs`
 * writes the same drawings to `resources/` for the installers.
 *
 * Only erasable TypeScript here and no imports but Node's: the icon script loads this file
 * directly with Node's type stripping.
 */
import { crc32, deflateSync } from 'node:zlib';

/** The tray's states, worst last. */
export type TrayLevel = 'idle' | 'ok' | 'warn' | 'error';

/** An RGBA bitmap, row by row. */
export interface Bitmap {
  width: number;
  height: number;
  pixels: Uint8Array;
}

type Rgb = readonly [number, number, number];

/** Status colours (green, amber, red, grey), readable on light and dark panels alike. */
export const LEVEL_COLORS: Record<TrayLevel, Rgb> = {
  ok: [0x2e, 0xb8, 0x5c],
  warn: [0xf0, 0xa2, 0x02],
  error: [0xe5, 0x48, 0x4d],
  idle: [0x8b, 0x93, 0x9e],
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes an RGBA bitmap as a PNG (8-bit RGBA, no interlace, filter 0 on every row). */
export function encodePng(bitmap: Bitmap): Buffer {
  const { width, height, pixels } = bitmap;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A shape as a coverage test at a point (in pixel units, centre of the image at size/2). */
type Layer = { color: Rgb; inside: (x: number, y: number) => boolean };

/** Paints layers back to front with 4×4 supersampling, so edges are smooth at 16 px too. */
function paint(size: number, layers: readonly Layer[]): Bitmap {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = px + (sx + 0.5) / samples;
          const y = py + (sy + 0.5) / samples;
          // The topmost layer covering the sample wins (layers are opaque).
          for (let i = layers.length - 1; i >= 0; i--) {
            const layer = layers[i];
            if (layer && layer.inside(x, y)) {
              r += layer.color[0];
              g += layer.color[1];
              b += layer.color[2];
              a += 1;
              break;
            }
          }
        }
      }
      const at = (py * size + px) * 4;
      if (a > 0) {
        pixels[at] = Math.round(r / a);
        pixels[at + 1] = Math.round(g / a);
        pixels[at + 2] = Math.round(b / a);
        pixels[at + 3] = Math.round((255 * a) / (samples * samples));
      }
    }
  }
  return { width: size, height: size, pixels };
}

function disc(cx: number, cy: number, radius: number): (x: number, y: number) => boolean {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** The tray icon of a state: a coloured dot with a dark rim, `size` pixels square. */
export function drawStatusIcon(level: TrayLevel, size = 32): Bitmap {
  const c = size / 2;
  return paint(size, [
    { color: [0x1d, 0x21, 0x27], inside: disc(c, c, size * 0.44) },
    { color: LEVEL_COLORS[level], inside: disc(c, c, size * 0.34) },
  ]);
}

/**
 * The app icon: a dark rounded square with a green hub dot and two signal arcs to its
 * right — a source being listened to.
 */
export function drawAppIcon(size = 512): Bitmap {
  const s = size;
  const radius = s * 0.2;
  const roundedSquare = (x: number, y: number): boolean => {
    const dx = Math.max(radius - x, x - (s - radius), 0);
    const dy = Math.max(radius - y, y - (s - radius), 0);
    return dx * dx + dy * dy <= radius * radius;
  };
  const cx = s * 0.36;
  const cy = s * 0.5;
  const arc = (inner: number, outer: number) => (x: number, y: number) => {
    const d = Math.hypot(x - cx, y - cy);
    // Only the right-hand side, within ±50° of horizontal.
    return (
      d >= inner && d <= outer && x > cx && Math.abs(y - cy) <= (x - cx) * Math.tan((50 * Math.PI) / 180)
    );
  };
  const light: Rgb = [0xe8, 0xeb, 0xf0];
  return paint(s, [
    { color: [0x16, 0x18, 0x1d], inside: roundedSquare },
    { color: LEVEL_COLORS.ok, inside: disc(cx, cy, s * 0.11) },
    { color: light, inside: arc(s * 0.19, s * 0.25) },
    { color: light, inside: arc(s * 0.32, s * 0.38) },
  ]);
}
