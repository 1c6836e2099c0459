/**
 * The bot event hub (seed 000): a game-bot logger streaming `event: log` lines and
 * `event: session` bot snapshots over SSE, with `GET /api/bots/{id}` for one snapshot.
 * Messages are in Indonesian like the real logger's, with `—`, `✓`, `→` and `é` in them so
 * that UTF-8 handling gets exercised.
 *
 * Three bots live through a believable life cycle (offline → logging_in → loading →
 * in_tutorial / in_world → disconnected / error → …). The bots' life (the "world") and the
 * filler log lines draw from separate random sequences, so the world can be replayed
 * without the lines — that is how the snapshot endpoint knows the bots' state "now".
 */
import { bearerToken, sendError, sendJson, sendMethodNotAllowed } from './http-responses';
import { PacedSource, type FrameSource, type StreamFrame } from './frame-source';
import type { HubContext, RoutedRequest } from './hub-context';
import { deriveSeed, SeededRandom, ShuffleBag } from './random';
import type { StreamSettings } from './stream-settings';

export type BotStatus =
  'offline' | 'logging_in' | 'loading' | 'in_tutorial' | 'in_world' | 'disconnected' | 'error';

/** One bot's state: the body of `GET /bot-hub/api/bots/{id}` and of `event: session` (as `snapshot`). */
export interface BotSnapshot {
  id: string;
  name: string;
  status: BotStatus;
  /** The world the bot is in or loading, or null. */
  world: string | null;
  level: number;
  hp: number;
  max_hp: number;
  gold: number;
  gems: number;
  /** Tile position in the world, or null outside one. */
  position: { x: number; y: number } | null;
  /** Round trip to the game server while connected, else null. */
  ping_ms: number | null;
  tutorial_done: boolean;
  /** Why the bot last went to `error`, or null. */
  last_error: string | null;
  /** When the current login began, or null while offline. */
  session_started_at_ms: number | null;
  /** Epoch ms of the last state transition. */
  updated_at_ms: number;
}

/** The payload of `event: log`, every field of the seed's table. */
export interface BotLogLine {
  timestamp_ms: number;
  level: 'info' | 'warn' | 'error' | 'state';
  scope: 'auth_client' | 'tcp' | 'bot' | 'tutorial' | 'seraph';
  session_id: string | null;
  transport: 'tcp' | 'http' | null;
  direction: 'outgoing' | 'incoming' | null;
  message: string;
}

interface BotProfile {
  id: string;
  name: string;
  /** A fresh account goes through the tutorial before its first world. */
  newAccount: boolean;
}

export const DEMO_BOTS: readonly BotProfile[] = [
  { id: 'bot-1', name: 'TaniBudi', newAccount: true },
  { id: 'bot-2', name: 'SariKebun', newAccount: false },
  { id: 'bot-3', name: 'RenéPixel', newAccount: false },
];

const WORLDS = ['START', 'PASARMALAM', 'KEBUNRAYA', 'BUYGEMS', 'SAWAHLUAS'];
const TUTORIAL_WORLD = 'TUTORIAL_1';
const LOGIN_ERRORS = [
  'login gagal: AccountNotFound — email belum terdaftar',
  'login gagal: 429 Too Many Requests dari PlayFab',
  'login gagal: proxy café-net ditolak server',
];
const WORLD_ERRORS = [
  'koneksi TCP terputus: ECONNRESET',
  'server menolak paket: versi klien kedaluwarsa',
  'di-kick dari dunia: terdeteksi spam',
];
const PLAYFAB = 'https://11ef5c.playfabapi.com/Client';
const GAME_SERVER = '213.179.209.168';
const SDK = 'sdk=UnitySDK-2.178.230929';

interface BotModel {
  profile: BotProfile;
  snapshot: BotSnapshot;
  /** The slot at which the next transition is due. */
  nextAt: number;
  loginAttempts: number;
  worldVisits: number;
}

/** What one schedule slot of the world holds. */
type WorldSlot =
  | { type: 'snapshot'; snapshot: BotSnapshot }
  | { type: 'transition'; snapshot: BotSnapshot; from: BotStatus; line: BotLogLine }
  | { type: 'idle' };

/**
 * The three bots and their life cycles, advanced one schedule slot at a time. A
 * transition takes two slots: the `state` log line, then the `session` snapshot.
 */
export class BotWorld {
  private readonly random: SeededRandom;
  private readonly bots: BotModel[];
  private readonly pending: BotSnapshot[];
  private slot = 0;

  constructor(
    seed: number,
    /** Epoch ms of a slot (wall clock for a live stream, the schedule for the reference world). */
    private readonly clock: (slot: number) => number,
  ) {
    this.random = new SeededRandom(seed);
    const now = clock(0);
    this.bots = DEMO_BOTS.map((profile, i) => ({
      profile,
      snapshot: {
        id: profile.id,
        name: profile.name,
        status: 'offline',
        world: null,
        level: profile.newAccount ? 1 : this.random.int(8, 40),
        hp: 100,
        max_hp: 100,
        gold: profile.newAccount ? 0 : this.random.int(200, 5000),
        gems: profile.newAccount ? 0 : this.random.int(50, 3000),
        position: null,
        ping_ms: null,
        tutorial_done: !profile.newAccount,
        last_error: null,
        session_started_at_ms: null,
        updated_at_ms: now,
      },
      // After the opening snapshots, the bots start logging in one after another.
      nextAt: DEMO_BOTS.length + i * 2 + this.random.int(0, 2),
      loginAttempts: 0,
      worldVisits: 0,
    }));
    // A subscriber first learns every bot's current state.
    this.pending = this.bots.map((bot) => ({ ...bot.snapshot }));
  }

  /** Number of slots taken so far. */
  get slotsTaken(): number {
    return this.slot;
  }

  /** A copy of one bot's snapshot, or undefined for an unknown id. */
  snapshot(id: string): BotSnapshot | undefined {
    const bot = this.bots.find((b) => b.profile.id === id);
    return bot ? cloneSnapshot(bot.snapshot) : undefined;
  }

  /** The bots' current statuses, for picking believable log lines. */
  current(): readonly BotSnapshot[] {
    return this.bots.map((bot) => bot.snapshot);
  }

  /** Takes the next slot. */
  step(): WorldSlot {
    const slot = this.slot++;
    const queued = this.pending.shift();
    if (queued) return { type: 'snapshot', snapshot: queued };
    let due: BotModel | undefined;
    for (const bot of this.bots) if (bot.nextAt <= slot && (!due || bot.nextAt < due.nextAt)) due = bot;
    if (!due) return { type: 'idle' };
    const from = due.snapshot.status;
    const line = this.transition(due, slot);
    this.pending.push(cloneSnapshot(due.snapshot));
    return { type: 'transition', snapshot: cloneSnapshot(due.snapshot), from, line };
  }

  private transition(bot: BotModel, slot: number): BotLogLine {
    const r = this.random;
    const s = bot.snapshot;
    const now = this.clock(slot);
    const from = s.status;
    let level: BotLogLine['level'] = 'state';
    let detail: string;
    let wait: number;
    switch (from) {
      case 'offline':
      case 'disconnected':
        s.status = 'logging_in';
        s.session_started_at_ms = now;
        bot.loginAttempts += 1;
        detail = `login ke PlayFab (percobaan ${bot.loginAttempts})`;
        wait = r.int(3, 6);
        break;
      case 'logging_in': {
        // RenéPixel's first login always fails, so an error shows up early in every run;
        // other first logins succeed, so every status shows within 20 s at the default rate.
        const scripted = bot.profile.id === 'bot-3' && bot.loginAttempts === 1;
        const fails = scripted || (bot.loginAttempts > 2 && r.chance(0.1));
        if (fails) {
          s.status = 'error';
          s.last_error = r.pick(LOGIN_ERRORS);
          s.session_started_at_ms = null;
          level = 'error';
          detail = s.last_error;
          wait = r.int(8, 14);
        } else {
          s.status = 'loading';
          s.last_error = null;
          s.world = s.tutorial_done ? r.pick(WORLDS) : TUTORIAL_WORLD;
          detail = `SessionTicket diterima, memuat dunia ${s.world}`;
          wait = r.int(3, 5);
        }
        break;
      }
      case 'loading':
        s.ping_ms = r.int(40, 320);
        if (!s.tutorial_done) {
          s.status = 'in_tutorial';
          s.position = { x: 3, y: 22 };
          detail = 'akun baru — mulai tutorial';
          wait = r.int(15, 30);
        } else {
          s.status = 'in_world';
          s.position = { x: r.int(1, 99), y: r.int(1, 53) };
          bot.worldVisits += 1;
          detail = `masuk dunia ${s.world ?? '?'} ✓`;
          // SariKebun's first visit is short, so a disconnect shows up early too.
          wait = bot.profile.id === 'bot-2' && bot.worldVisits === 1 ? r.int(10, 18) : r.int(25, 70);
        }
        break;
      case 'in_tutorial':
        s.status = 'in_world';
        s.tutorial_done = true;
        s.level += 1;
        s.gold += 100;
        s.world = r.pick(WORLDS);
        s.position = { x: r.int(1, 99), y: r.int(1, 53) };
        bot.worldVisits += 1;
        detail = `tutorial selesai ✓ — pindah ke ${s.world}`;
        wait = r.int(25, 70);
        break;
      case 'in_world': {
        s.gold += r.int(20, 400);
        s.gems += r.int(0, 60);
        if (r.chance(0.3)) s.level += 1;
        s.hp = r.int(40, 100);
        const firstShortVisit = bot.profile.id === 'bot-2' && bot.worldVisits === 1;
        if (!firstShortVisit && r.chance(0.3)) {
          s.status = 'error';
          s.last_error = r.pick(WORLD_ERRORS);
          level = 'error';
          detail = s.last_error;
          wait = r.int(8, 14);
        } else {
          s.status = 'disconnected';
          detail = 'koneksi ditutup server — reconnect sebentar lagi';
          wait = r.int(6, 12);
        }
        s.position = null;
        s.ping_ms = null;
        s.session_started_at_ms = null;
        break;
      }
      case 'error':
        s.status = 'offline';
        s.world = null;
        s.hp = s.max_hp;
        detail = 'istirahat dulu sebelum login ulang';
        wait = r.int(4, 8);
        break;
    }
    s.updated_at_ms = now;
    bot.nextAt = slot + 2 + wait;
    return {
      timestamp_ms: now,
      level,
      scope: 'bot',
      session_id: s.id,
      transport: null,
      direction: null,
      message: `${s.name}: ${from} → ${s.status} — ${detail}`,
    };
  }
}

function cloneSnapshot(snapshot: BotSnapshot): BotSnapshot {
  return { ...snapshot, position: snapshot.position ? { ...snapshot.position } : null };
}

type LineKind =
  | 'auth_out'
  | 'auth_in'
  | 'tcp_out'
  | 'tcp_in'
  | 'tcp_warn'
  | 'bot_info'
  | 'bot_warn'
  | 'tutorial'
  | 'seraph_info'
  | 'seraph_warn'
  | 'net_error';

/** Every kind once per round, with the common ones more often. */
const LINE_KINDS: readonly LineKind[] = [
  'auth_out',
  'auth_in',
  'tcp_out',
  'tcp_out',
  'tcp_in',
  'tcp_in',
  'tcp_in',
  'tcp_warn',
  'bot_info',
  'bot_info',
  'bot_warn',
  'tutorial',
  'seraph_info',
  'seraph_warn',
  'net_error',
];

const CONNECTED: readonly BotStatus[] = ['loading', 'in_tutorial', 'in_world'];

/** The filler log lines between transitions, fitted to what the bots are doing. */
class BotLogLines {
  private readonly bag: ShuffleBag<LineKind>;

  constructor(private readonly random: SeededRandom) {
    this.bag = new ShuffleBag(LINE_KINDS, random);
  }

  next(bots: readonly BotSnapshot[], now: number): BotLogLine {
    const r = this.random;
    const kind = this.bag.draw();
    const any = r.pick(bots);
    const inState = (states: readonly BotStatus[]): BotSnapshot | undefined => {
      const matching = bots.filter((b) => states.includes(b.status));
      return matching.length > 0 ? r.pick(matching) : undefined;
    };
    const line = (
      level: BotLogLine['level'],
      scope: BotLogLine['scope'],
      bot: BotSnapshot | null,
      wire: readonly ['tcp' | 'http', 'outgoing' | 'incoming'] | null,
      message: string,
    ): BotLogLine => ({
      timestamp_ms: now,
      level,
      scope,
      session_id: bot ? bot.id : null,
      transport: wire ? wire[0] : null,
      direction: wire ? wire[1] : null,
      message,
    });
    switch (kind) {
      case 'auth_out': {
        const bot = inState(['logging_in']);
        return bot
          ? line(
              'info',
              'auth_client',
              bot,
              ['http', 'outgoing'],
              `POST ${PLAYFAB}/LoginWithEmailAddress?${SDK} body={...}`,
            )
          : line(
              'info',
              'auth_client',
              any,
              ['http', 'outgoing'],
              `POST ${PLAYFAB}/GetUserData?${SDK} body={...}`,
            );
      }
      case 'auth_in': {
        const bot = inState(['logging_in']);
        const ms = r.int(80, 900);
        return bot
          ? line(
              'info',
              'auth_client',
              bot,
              ['http', 'incoming'],
              `200 OK LoginWithEmailAddress — SessionTicket diterima (${ms} ms)`,
            )
          : line(
              'info',
              'auth_client',
              any,
              ['http', 'incoming'],
              `200 OK GetUserData — ${r.int(4, 20)} key dimuat (${ms} ms)`,
            );
      }
      case 'tcp_out': {
        const bot = inState(CONNECTED);
        if (!bot)
          return line('info', 'tcp', any, ['tcp', 'outgoing'], `Connect {host="${GAME_SERVER}" port=17198}`);
        const x = r.int(1, 99);
        const y = r.int(1, 53);
        const message = r.pick([
          'VChk {ID="VChk" OS="Android" OSt=2}',
          `JoinReq {world="${bot.world ?? 'START'}"}`,
          `Move {x=${x * 32} y=${y * 32}}`,
          `Punch {x=${x} y=${y}}`,
          `Ping {t=${r.int(100000, 999999)}}`,
        ]);
        return line('info', 'tcp', bot, ['tcp', 'outgoing'], message);
      }
      case 'tcp_in': {
        const bot = inState(CONNECTED);
        if (!bot)
          return line(
            'info',
            'tcp',
            any,
            ['tcp', 'incoming'],
            `Hello {protocol=4 server="${GAME_SERVER}:17198"}`,
          );
        const message = r.pick([
          `OnSpawn {netID=${r.int(2, 60)} name="${bot.name}" x=${r.int(1, 99) * 32} y=${r.int(1, 53) * 32}}`,
          `OnConsoleMessage "Selamat datang di dunia ${bot.world ?? 'START'} ✓"`,
          'OnTalkBubble "halo semua — ada yang jual seed?"',
          `OnSetBux {gems=${bot.gems}}`,
          `OnConsoleMessage "Kamu dapat ${r.int(1, 5)} Dirt Seed ✓"`,
        ]);
        return line('info', 'tcp', bot, ['tcp', 'incoming'], message);
      }
      case 'tcp_warn': {
        const bot = inState(CONNECTED);
        return bot
          ? line(
              'warn',
              'tcp',
              bot,
              ['tcp', 'incoming'],
              `ping tinggi ${r.int(600, 1800)} ms — koneksi lambat`,
            )
          : line(
              'warn',
              'tcp',
              any,
              ['tcp', 'outgoing'],
              `handshake lambat ke ${GAME_SERVER} — coba lagi (2/5)`,
            );
      }
      case 'bot_info': {
        const bot = inState(['in_world']);
        if (!bot) return line('info', 'bot', any, null, `${any.name}: cek update klien — versi 4.62 ✓`);
        const message = r.pick([
          `panen ${r.int(3, 40)} pohon, dapat ${r.int(5, 90)} seed ✓`,
          `jalan ke (${r.int(1, 99)}, ${r.int(1, 53)}) — ${r.int(3, 40)} langkah`,
          `inventori ${r.int(40, 180)}/200 slot terpakai`,
          `beli World Lock di toko — ${r.int(1, 3) * 2000} gems`,
        ]);
        return line('info', 'bot', bot, null, message);
      }
      case 'bot_warn': {
        const bot = any;
        const message = CONNECTED.includes(bot.status)
          ? r.pick([
              `HP rendah (${r.int(5, 30)}/100), mundur ke checkpoint`,
              `inventori hampir penuh (${r.int(190, 199)}/200) — jual dulu`,
            ])
          : `menunggu ${r.int(5, 30)} s sebelum reconnect`;
        return line('warn', 'bot', bot, null, message);
      }
      case 'tutorial': {
        const bot = inState(['in_tutorial']);
        return bot
          ? line(
              'info',
              'tutorial',
              bot,
              null,
              r.pick([
                `langkah tutorial ${r.int(1, 7)}/7 selesai ✓`,
                'tutorial: tanam benih pertama',
                'tutorial: bicara dengan NPC Sensei',
              ]),
            )
          : line('info', 'tutorial', any, null, `tutorial sudah selesai untuk ${any.name}, dilewati`);
      }
      case 'seraph_info': {
        const online = bots.filter((b) => CONNECTED.includes(b.status)).length;
        const message = r.pick([
          `seraph: ${online} bot aktif, antrian tugas kosong`,
          `seraph: jadwal rotasi dunia diperbarui — ${WORLDS.length} dunia`,
          'seraph: laporan harian terkirim ke café-ops ✓',
        ]);
        return line('info', 'seraph', null, null, message);
      }
      case 'seraph_warn': {
        const bot = inState(['in_world']) ?? any;
        return line(
          'warn',
          'seraph',
          bot,
          null,
          `seraph: moderator terdeteksi di ${bot.world ?? 'START'}, pindahkan ${bot.id}`,
        );
      }
      case 'net_error': {
        const bot = inState(CONNECTED);
        return bot
          ? line(
              'error',
              'tcp',
              bot,
              ['tcp', 'outgoing'],
              'gagal kirim paket ke server: socket ditutup (ECONNRESET)',
            )
          : line(
              'error',
              'auth_client',
              any,
              ['http', 'incoming'],
              'POST GetUserData gagal: 503 Service Unavailable — coba lagi dalam 30 s',
            );
      }
    }
  }
}

const logFrame = (line: BotLogLine): StreamFrame => ({ event: 'log', data: JSON.stringify(line) });
const sessionFrame = (snapshot: BotSnapshot): StreamFrame => ({
  event: 'session',
  data: JSON.stringify({ snapshot }),
});

/** The frames one subscriber of `/bot-hub/events` gets: the same sequence for the same seed. */
export function botHubSource(settings: StreamSettings): FrameSource {
  const world = new BotWorld(deriveSeed(settings.seed, 'bot-hub world'), () => Date.now());
  const lines = new BotLogLines(new SeededRandom(deriveSeed(settings.seed, 'bot-hub lines')));
  return new PacedSource(() => {
    const slot = world.step();
    if (slot.type === 'snapshot') return sessionFrame(slot.snapshot);
    if (slot.type === 'transition') return logFrame(slot.line);
    return logFrame(lines.next(world.current(), Date.now()));
  }, settings.rate);
}

/** Most world slots the snapshot endpoint replays per request, so absurd rates cannot block the hub. */
const MAX_CATCH_UP_SLOTS = 2_000_000;

/** Routes of the bot hub under `/bot-hub`. */
export class BotHub {
  /**
   * The reference world: the bots as a subscriber connected when the hub started would
   * see them now. `GET /api/bots/{id}` answers from it.
   */
  private readonly referenceWorld: BotWorld;

  constructor(private readonly context: HubContext) {
    const { rate, seed } = context.defaults;
    this.referenceWorld = new BotWorld(
      deriveSeed(seed, 'bot-hub world'),
      (slot) => context.startedAt + Math.round((slot * 1000) / rate),
    );
  }

  /** `GET /bot-hub/events`. */
  events(routed: RoutedRequest): void {
    const { req, res } = routed;
    if (req.method !== 'GET') return sendMethodNotAllowed(res, req.method ?? '?', ['GET']);
    const settings = this.context.settingsFor(routed, sendError);
    if (!settings || this.context.injectFailure(routed, settings, sendError)) return;
    if (!this.authorized(routed)) return;
    this.context.streamSse(routed, settings, botHubSource(settings));
  }

  /** `GET /bot-hub/api/bots/{id}`. */
  bot(routed: RoutedRequest, id: string): void {
    const { req, res } = routed;
    if (req.method !== 'GET') return sendMethodNotAllowed(res, req.method ?? '?', ['GET']);
    if (!this.authorized(routed)) return;
    this.catchUp();
    const snapshot = this.referenceWorld.snapshot(id);
    if (!snapshot) return sendError(res, 404, 'bot_not_found', `no bot with id '${id}'`);
    sendJson(res, 200, snapshot);
  }

  private catchUp(): void {
    const { rate } = this.context.defaults;
    const due = Math.floor(((Date.now() - this.context.startedAt) * rate) / 1000) + 1;
    const limit = Math.min(due, this.referenceWorld.slotsTaken + MAX_CATCH_UP_SLOTS);
    while (this.referenceWorld.slotsTaken < limit) this.referenceWorld.step();
  }

  /** Bearer header or `?token=`, as the seed documents; answers 401 and returns false otherwise. */
  private authorized({ req, res, url }: RoutedRequest): boolean {
    const fromHeader = bearerToken(req);
    const fromQuery = url.searchParams.get('token') ?? undefined;
    const expected = this.context.credentials.botHubToken;
    if (fromHeader === expected || fromQuery === expected) return true;
    const message =
      fromHeader === undefined && fromQuery === undefined
        ? 'missing token: send Authorization: Bearer <token> or ?token=<token>'
        : 'invalid token';
    sendError(res, 401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer realm="bot-hub"' });
    return false;
  }
}
