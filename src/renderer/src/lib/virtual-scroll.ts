/**
 * The arithmetic of the virtualized event list: which rows a scroll position shows and
 * where they sit. Rows have one fixed height, so this is O(1) whatever the total. Beyond
 * what a browser can scroll natively (element heights are capped at a few million pixels),
 * the scroll range is scaled: the scrollbar maps proportionally onto the rows.
 */

/** Heights beyond this are scaled (Chromium caps near 33M px, Firefox near 17M). */
export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface ScrollGeometry {
  total: number;
  rowHeight: number;
  viewportHeight: number;
  /** Override of MAX_SCROLL_HEIGHT (tests). */
  maxScrollHeight?: number;
}

export interface RowWindow {
  /** Index of the first rendered row. */
  first: number;
  /** How many rows to render from `first`. */
  count: number;
  /** Where the first rendered row sits inside the scrolled content, in px. */
  offset: number;
}

/** Rows that fit in the viewport (a partly visible one counts). */
export function rowsPerViewport(geometry: ScrollGeometry): number {
  return Math.max(1, Math.ceil(geometry.viewportHeight / geometry.rowHeight));
}

/** Height of the scrolled content. */
export function contentHeight(geometry: ScrollGeometry): number {
  const natural = geometry.total * geometry.rowHeight;
  return Math.min(natural, geometry.maxScrollHeight ?? MAX_SCROLL_HEIGHT);
}

/** True when the content is taller than a browser scrolls and positions are scaled. */
export function isScaled(geometry: ScrollGeometry): boolean {
  return geometry.total * geometry.rowHeight > (geometry.maxScrollHeight ?? MAX_SCROLL_HEIGHT);
}

/** The scrollTop that shows the last row at the bottom. */
export function bottomScrollTop(geometry: ScrollGeometry): number {
  return Math.max(0, contentHeight(geometry) - geometry.viewportHeight);
}

/** The rows shown at `scrollTop`. */
export function windowAt(scrollTop: number, geometry: ScrollGeometry): RowWindow {
  const { total, rowHeight } = geometry;
  if (total <= 0) return { first: 0, count: 0, offset: 0 };
  const visible = rowsPerViewport(geometry);
  const maxTop = bottomScrollTop(geometry);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  if (!isScaled(geometry)) {
    const first = Math.min(Math.floor(top / rowHeight), Math.max(0, total - 1));
    const last = Math.min(total, Math.ceil((top + geometry.viewportHeight) / rowHeight) + 1);
    return { first, count: Math.max(0, last - first), offset: first * rowHeight };
  }
  // Scaled: the scrollbar fraction picks the first row; rows are pinned to the viewport top.
  const fraction = maxTop === 0 ? 0 : top / maxTop;
  const first = Math.round(fraction * Math.max(0, total - visible));
  return { first, count: Math.min(visible + 1, total - first), offset: top };
}

/** The scrollTop that makes `index` the first visible row. */
export function scrollTopFor(index: number, geometry: ScrollGeometry): number {
  const maxTop = bottomScrollTop(geometry);
  if (!isScaled(geometry)) return Math.min(maxTop, Math.max(0, index * geometry.rowHeight));
  const span = Math.max(1, geometry.total - rowsPerViewport(geometry));
  return Math.min(maxTop, Math.max(0, (index / span) * maxTop));
}

/** True when `scrollTop` is at (or within `slack` px of) the bottom. */
export function isAtBottom(scrollTop: number, geometry: ScrollGeometry, slack = 4): boolean {
  return scrollTop >= bottomScrollTop(geometry) - slack;
}
