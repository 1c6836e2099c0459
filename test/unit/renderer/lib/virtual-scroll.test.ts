import { describe, expect, it } from 'vitest';
import {
  bottomScrollTop,
  contentHeight,
  isAtBottom,
  isScaled,
  scrollTopFor,
  windowAt,
} from '../../../../src/renderer/src/lib/virtual-scroll';

const small = { total: 1000, rowHeight: 22, viewportHeight: 440 };
const huge = { total: 2_000_000, rowHeight: 22, viewportHeight: 440, maxScrollHeight: 1_000_000 };

describe('the virtual list arithmetic', () => {
  it('renders only the rows in view, plus one', () => {
    expect(windowAt(0, small)).toEqual({ first: 0, count: 21, offset: 0 });
    expect(windowAt(22 * 100 + 5, small)).toEqual({ first: 100, count: 22, offset: 2200 });
  });

  it('shows the last rows at the bottom', () => {
    const top = bottomScrollTop(small);
    expect(top).toBe(22_000 - 440);
    const window = windowAt(top, small);
    expect(window.first + window.count).toBe(1000);
    expect(isAtBottom(top, small)).toBe(true);
    expect(isAtBottom(top - 100, small)).toBe(false);
  });

  it('renders nothing for an empty list and everything for a short one', () => {
    expect(windowAt(0, { ...small, total: 0 })).toEqual({ first: 0, count: 0, offset: 0 });
    expect(windowAt(0, { ...small, total: 5 })).toEqual({ first: 0, count: 5, offset: 0 });
  });

  it('scales positions when the list is taller than a browser scrolls', () => {
    expect(isScaled(huge)).toBe(true);
    expect(contentHeight(huge)).toBe(1_000_000);
    const bottom = windowAt(bottomScrollTop(huge), huge);
    expect(bottom.first + bottom.count).toBe(2_000_000);
    const middle = windowAt(bottomScrollTop(huge) / 2, huge);
    expect(Math.abs(middle.first - 1_000_000)).toBeLessThan(20);
    expect(middle.offset).toBe(bottomScrollTop(huge) / 2);
  });

  it('finds the scroll position of a row, in both modes', () => {
    expect(scrollTopFor(100, small)).toBe(2200);
    expect(windowAt(scrollTopFor(100, small), small).first).toBe(100);
    expect(scrollTopFor(5000, small)).toBe(bottomScrollTop(small));
    const index = 1_234_567;
    expect(Math.abs(windowAt(scrollTopFor(index, huge), huge).first - index)).toBeLessThanOrEqual(1);
  });
});
