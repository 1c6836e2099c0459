/**
 * What the simulated rdev shell prints for a command, and when. Scripts are in simulated
 * milliseconds (real time at speed 1) and depend only on the command and the seed.
 *
 * Known commands:
 * - `npm test` (also `npm t`, `npm run test`): a vitest run, 26–29 lines over about 9 s,
 *   some on stderr, one `error` event for the failing suite, exit code 1.
 * - `make build` (also `make`): a C build over about 4 s with a compiler warning on stderr, exit 0.
 * - `echo TEXT`: prints TEXT, exit 0.
 * - `exit N`: prints nothing, exit N (0–255).
 * - `sleep S`: prints nothing for S seconds, exit 0.
 * - `true` / `false`: exit 0 / exit 1.
 * - `pwd`, `ls`, `git status`: short believable listings, exit 0.
 * - anything else: a few generic progress lines over about 1.5 s, exit 0.
 */
import type { SeededRandom } from './random';

export type OutputStream = 'stdout' | 'stderr';

/** One thing the command does, before ids and heartbeats are added. */
export type ScriptStep =
  | { atMs: number; event: 'output'; line: string; stream: OutputStream }
  | { atMs: number; event: 'error'; message: string };

export interface CommandScript {
  steps: ScriptStep[];
  exitCode: number;
  /** When the command exits, simulated ms after it started. */
  durationMs: number;
}

/** The documented list, for usage texts. */
export const KNOWN_COMMANDS: readonly string[] = [
  'npm test — vitest run, ~27 lines over ~9 s (some stderr), one error event, exit 1',
  'make build — C build over ~4 s with a warning on stderr, exit 0',
  'echo TEXT — prints TEXT, exit 0',
  'exit N — exit N',
  'sleep S — S seconds of silence (heartbeats only), exit 0',
  'true / false — exit 0 / exit 1',
  'pwd, ls, git status — short listings, exit 0',
  'anything else — generic progress lines over ~1.5 s, exit 0',
];

/** Builds a script step by step, advancing a clock. */
class ScriptBuilder {
  readonly steps: ScriptStep[] = [];
  private clock = 0;

  constructor(private readonly random: SeededRandom) {}

  /** Lets `min`–`max` ms pass. */
  wait(min: number, max: number): this {
    this.clock += this.random.int(min, max);
    return this;
  }

  out(line: string, stream: OutputStream = 'stdout'): this {
    this.steps.push({ atMs: this.clock, event: 'output', line, stream });
    return this;
  }

  err(line: string): this {
    return this.out(line, 'stderr');
  }

  error(message: string): this {
    this.steps.push({ atMs: this.clock, event: 'error', message });
    return this;
  }

  get now(): number {
    return this.clock;
  }

  finish(exitCode: number, tailMs = 40): CommandScript {
    return { steps: this.steps, exitCode, durationMs: this.clock + tailMs };
  }
}

const TEST_FILES = [
  'src/utils/format.test.ts',
  'src/utils/slugify.test.ts',
  'src/api/client.test.ts',
  'src/api/auth.test.ts',
  'src/store/cart.test.ts',
  'src/store/session.test.ts',
  'src/components/Button.test.ts',
  'src/components/DatePicker.test.ts',
  'src/i18n/messages.test.ts',
];

function npmTest(r: SeededRandom, project: string): CommandScript {
  const s = new ScriptBuilder(r);
  // The whole run lasts 8–11 s: the files take what they take, then the summary waits if need be.
  const target = r.int(8200, 9800);
  s.out(`> ${project}@1.4.2 test`).out('> vitest run').out('').wait(300, 600);
  s.out(` RUN  v3.2.4 /srv/rdev/projects/${project}`).out('').wait(600, 900);
  const testsStart = s.now;
  const passing = r.shuffle(TEST_FILES).slice(0, r.int(5, 8));
  const failAt = r.int(1, passing.length - 1);
  let passedTests = 0;
  passing.forEach((file, i) => {
    if (i === failAt) {
      s.out(' ❯ src/api/retry.test.ts (6 tests | 1 failed) 1204ms');
      s.out('   × retries with exponential backoff 1003ms');
      s.out('     → expected 3 to be 4 // Object.is equality').wait(600, 1000);
      passedTests += 5;
    }
    const tests = r.int(3, 18);
    passedTests += tests;
    s.out(` ✓ ${file} (${tests} tests) ${r.int(8, 480)}ms`).wait(600, 1000);
  });
  const short = target - 400 - s.now;
  if (short > 0) s.wait(short, short);
  s.err('').err('─────── Failed Tests 1 ───────');
  s.err(' FAIL  src/api/retry.test.ts > retry > retries with exponential backoff');
  s.err('AssertionError: expected 3 to be 4 // Object.is equality');
  s.err(' ❯ src/api/retry.test.ts:42:27').wait(100, 300);
  s.error('1 test suite failed: src/api/retry.test.ts > retry > retries with exponential backoff');
  const files = passing.length + 1;
  const seconds = ((s.now + 200) / 1000).toFixed(2);
  const testSeconds = ((s.now - testsStart) / 1000).toFixed(2);
  s.out(` Test Files  1 failed | ${passing.length} passed (${files})`);
  s.out(`      Tests  1 failed | ${passedTests} passed (${passedTests + 1})`);
  s.out(`   Duration  ${seconds}s (transform ${r.int(200, 600)}ms, setup 0ms, tests ${testSeconds}s)`);
  s.out('').wait(100, 250);
  s.err('npm error Lifecycle script `test` failed with error:');
  s.err('npm error code 1');
  s.err(`npm error path /srv/rdev/projects/${project}`);
  s.err('npm error command failed');
  return s.finish(1);
}

const C_SOURCES = ['main', 'hub', 'parser', 'sse', 'net', 'config', 'log', 'util'];

function makeBuild(r: SeededRandom): CommandScript {
  const s = new ScriptBuilder(r);
  s.out('mkdir -p build').wait(100, 200);
  const sources = C_SOURCES.slice(0, r.int(5, 8));
  for (const name of sources) {
    s.out(`cc -O2 -Wall -Wextra -c src/${name}.c -o build/${name}.o`).wait(300, 600);
    if (name === 'parser') {
      s.err('src/parser.c:88:12: warning: unused variable ‘tmp’ [-Wunused-variable]');
      s.err('   88 |   size_t tmp = 0;');
      s.err('      |          ^~~');
    }
  }
  s.out(`cc -o build/demo ${sources.map((n) => `build/${n}.o`).join(' ')} -lpthread`).wait(300, 700);
  s.out(`Build complete: build/demo (${r.int(180, 900)} KiB)`);
  return s.finish(0);
}

function generic(r: SeededRandom, command: string): CommandScript {
  const s = new ScriptBuilder(r);
  s.out(`running: ${command}`).wait(200, 400);
  const steps = r.int(2, 4);
  for (let i = 1; i <= steps; i++) s.out(`[${i}/${steps}] working… ${r.int(10, 99)}%`).wait(200, 400);
  s.out(`done in ${(s.now / 1000).toFixed(1)}s ✓`);
  return s.finish(0);
}

/** Strips one level of matching quotes, as a shell would for a simple word. */
function unquote(text: string): string {
  const match = /^(['"])(.*)\1$/s.exec(text);
  return match ? (match[2] ?? '') : text;
}

/** The script of `command` as run in `project`. */
export function scriptFor(command: string, project: string, random: SeededRandom): CommandScript {
  const trimmed = command.trim();
  const [name = '', ...args] = trimmed.split(/\s+/);
  const rest = trimmed.slice(name.length).trim();
  if (/^npm (test|t|run test)$/.test(trimmed)) return npmTest(random, project);
  if (trimmed === 'make build' || trimmed === 'make') return makeBuild(random);
  switch (name) {
    case 'echo':
      return new ScriptBuilder(random).wait(10, 30).out(unquote(rest)).finish(0, 10);
    case 'exit': {
      const code = Number(args[0] ?? '0');
      if (!Number.isInteger(code)) {
        return new ScriptBuilder(random)
          .err(`exit: ${args[0] ?? ''}: numeric argument required`)
          .finish(2, 10);
      }
      return new ScriptBuilder(random).finish(((code % 256) + 256) % 256, 10);
    }
    case 'sleep': {
      const seconds = Number(args[0]);
      if (args.length !== 1 || !Number.isFinite(seconds) || seconds < 0) {
        return new ScriptBuilder(random).err(`sleep: invalid time interval '${rest}'`).finish(1, 10);
      }
      return new ScriptBuilder(random).finish(0, Math.round(seconds * 1000));
    }
    case 'true':
      return new ScriptBuilder(random).finish(0, 5);
    case 'false':
      return new ScriptBuilder(random).finish(1, 5);
    case 'pwd':
      return new ScriptBuilder(random).out(`/srv/rdev/projects/${project}`).finish(0, 5);
    case 'ls':
      return ['Makefile', 'README.md', 'build', 'node_modules', 'package.json', 'src', 'test']
        .reduce((s, entry) => s.out(entry), new ScriptBuilder(random).wait(5, 20))
        .finish(0, 10);
    case 'git':
      if (rest === 'status') {
        return new ScriptBuilder(random)
          .wait(20, 60)
          .out('On branch main')
          .out("Your branch is up to date with 'origin/main'.")
          .out('')
          .out('nothing to commit, working tree clean')
          .finish(0);
      }
      return generic(random, trimmed);
    default:
      return generic(random, trimmed);
  }
}
