/** The Hubwatch version, shown by `hubwatch --version` and the About box. */
export const VERSION = '0.1.0';
