import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const documents = [
  'README.md',
  'CONTRIBUTING.md',
  'docs/architecture.md',
  'docs/history.md',
  'docs/reliability.md',
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) =>
      match[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

describe('the documentation', () => {
  it.each(documents)('%s links only to files and headings inside the repository', (document) => {
    const path = join(root, document);
    const text = readFileSync(path, 'utf8');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
      const [file = '', anchor] = link.split('#');
      const target = file === '' ? path : resolve(dirname(path), file);
      expect(relative(root, target).startsWith('..'), `${link} leaves the repository`).toBe(false);
      expect(existsSync(target), `${link} does not exist`).toBe(true);
      if (anchor !== undefined && target.endsWith('.md'))
        expect(anchorsOf(readFileSync(target, 'utf8')), `${link}: no such heading`).toContain(anchor);
    }
  });

  it.each(documents)('%s names no document outside the repository', (document) => {
    const text = readFileSync(join(root, document), 'utf8');
    expect(text).not.toMatch(/\.\.\/shared\/|DESIGN\.md/);
  });

  it('describes the architecture and the contracts in docs/architecture.md, which the README links to', () => {
    const architecture = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    for (const heading of ['Architecture', 'The "never" arrows', 'Hub config', 'The `hubwatch` command'])
      expect(architecture).toContain(`## ${heading}`);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('](docs/architecture.md)');
  });
});
