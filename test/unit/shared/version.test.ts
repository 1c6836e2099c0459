import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../../src/shared/version';

const packageJson = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../package.json'), 'utf8'),
) as {
  version: string;
};

describe('VERSION', () => {
  it("is package.json's version", () => {
    expect(VERSION).toBe(packageJson.version);
  });
});
