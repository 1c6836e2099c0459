/**
 * The Hubwatch version, shown by `hubwatch --version` and the About box: package.json's
 * `version`, so a release bumps one place. Every build (electron-vite, the CLI's and the
 * benches' Vite builds, Vitest) inlines this named JSON import as a string at build time:
 * nothing is read from disk at runtime, and only `version` ends up in a bundle.
 */
export { version as VERSION } from '../../package.json';
