/**
 * The browser's frame source for the frame scheduler. requestAnimationFrame pauses in
 * background tabs; a slow timer keeps state current there so switching back shows fresh
 * rows at once.
 */
export function visibleAwareFrame(callback: () => void): void {
  if (document.visibilityState === 'hidden') setTimeout(callback, 250);
  else requestAnimationFrame(() => callback());
}

/** Starts a browser download of `url` (same origin: the session cookie authorizes it). */
export function downloadInBrowser(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = decodeURIComponent(url.split('/').pop() ?? 'hubwatch-export');
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}
