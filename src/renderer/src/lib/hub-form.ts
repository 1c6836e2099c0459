/**
 * The hub editor's model: every field of every dialect as the form edits it (strings,
 * radio choices, header rows), converted to and from the `HubSaveRequest` the backend
 * takes. Secrets are write-only: the form knows only whether one is set (or which
 * environment variable it comes from) and sends a new value, a clear, or nothing.
 * Validation uses the same `validateConfig` rules as the engine, so most mistakes are
 * shown next to their field before anything is sent.
 */
import type { AuthView, HubConfigView, HubSaveRequest, SecretView } from '../../../shared/api';
import { validateConfig } from '../../../shared/config-validation';
import type { AuthPlainFields, DialectId, HubConfig, SecretValue } from '../../../shared/hub-config';
import { authOf, SECRET_FIELDS, secretFieldOf, secretOf } from '../../../shared/hub-config';
import {
  DIALECT_CATALOG,
  DIALECT_IDS,
  dialectEntry,
  WEBSOCKET_DIALECTS,
} from '../../../shared/dialect-catalog';

export { SECRET_FIELDS, secretFieldOf };

/** What the operator does with a hub's secret. */
export type SecretEdit =
  { mode: 'keep' } | { mode: 'replace'; value: string } | { mode: 'clear' } | { mode: 'env'; env: string };

export type AuthType = AuthView['type'];

/** The generic dialect's field map keys, in the order the form shows them. */
export const FIELD_MAP_KEYS = [
  'time',
  'level',
  'message',
  'source',
  'event',
  'entity',
  'entityType',
] as const;
export type FieldMapKey = (typeof FIELD_MAP_KEYS)[number];

export interface HubDraft {
  id: string;
  name: string;
  dialect: DialectId;
  /** `auto`: SSE, or WebSocket for ws:/wss: URLs. */
  transport: 'auto' | 'sse' | 'websocket';
  /** The stream URL (for Backend.AI it is built from the parts below). */
  url: string;
  enabled: boolean;
  project: string;
  rdevMode: 'command' | 'stream';
  command: string;
  streamId: string;
  /** Backend.AI: the manager's base URL (`…/events/…` is appended). */
  baiBase: string;
  baiMode: 'session' | 'task';
  baiSessionId: string;
  baiGroup: string;
  baiOwner: string;
  baiTaskId: string;
  pollUrl: string;
  pollIntervalSec: string;
  fields: Record<FieldMapKey, string>;
  authType: AuthType;
  /** Header name (header auth). */
  authName: string;
  /** Query parameter (query auth). */
  authParam: string;
  accessKey: string;
  apiVersion: string;
  secret: SecretEdit;
  /** What the saved hub has for the secret of `originalAuthType` (display only). */
  secretView: SecretView | null;
  originalAuthType: AuthType | null;
  headers: { name: string; value: string }[];
  silenceTimeoutSec: string;
  retention: string;
}

/** Dialects in the order the form offers them, with a line each on what they are. */
export const DIALECT_CHOICES: readonly { id: DialectId; label: string; hint: string }[] = DIALECT_IDS.map(
  (id) => ({ id, label: DIALECT_CATALOG[id].label, hint: DIALECT_CATALOG[id].hint }),
);

export { WEBSOCKET_DIALECTS };

/** A blank draft for a new hub of `dialect`. */
export function newHubDraft(dialect: DialectId = 'bot-hub'): HubDraft {
  return {
    id: '',
    name: '',
    dialect,
    transport: 'auto',
    url: '',
    enabled: true,
    project: '',
    rdevMode: 'command',
    command: '',
    streamId: '',
    baiBase: '',
    baiMode: 'session',
    baiSessionId: '*',
    baiGroup: '*',
    baiOwner: '',
    baiTaskId: '',
    pollUrl: '',
    pollIntervalSec: '',
    fields: { time: '', level: '', message: '', source: '', event: '', entity: '', entityType: '' },
    authType: dialectEntry(dialect).defaultAuth.type,
    authName: dialectEntry(dialect).defaultAuth.name ?? '',
    authParam: 'token',
    accessKey: '',
    apiVersion: '',
    secret: { mode: 'keep' },
    secretView: null,
    originalAuthType: null,
    headers: [],
    silenceTimeoutSec: '',
    retention: '',
  };
}

/** Switches the dialect of a draft, carrying over what still applies. */
export function withDialect(draft: HubDraft, dialect: DialectId): HubDraft {
  if (draft.dialect === dialect) return draft;
  const fresh = newHubDraft(dialect);
  const keepAuth =
    draft.originalAuthType !== null || draft.authType !== dialectEntry(draft.dialect).defaultAuth.type;
  return {
    ...draft,
    dialect,
    transport: WEBSOCKET_DIALECTS.includes(dialect) ? draft.transport : 'auto',
    authType: keepAuth ? draft.authType : fresh.authType,
    authName: keepAuth ? draft.authName : fresh.authName,
  };
}

/** The parts of a Backend.AI events URL. */
export interface BackendAiUrlParts {
  base: string;
  mode: 'session' | 'task';
  sessionId: string;
  group: string;
  owner: string;
  taskId: string;
}

/** Splits a Backend.AI events URL into its base and filters (session or background task). */
export function parseBackendAiUrl(url: string): BackendAiUrlParts {
  const parts: BackendAiUrlParts = {
    base: url,
    mode: 'session',
    sessionId: '',
    group: '',
    owner: '',
    taskId: '',
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return parts;
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const origin = `${parsed.protocol}//${parsed.host}`;
  if (path.endsWith('/events/session')) {
    parts.base = origin + path.slice(0, -'/events/session'.length);
    parts.sessionId = parsed.searchParams.get('sessionId') ?? '';
    parts.group = parsed.searchParams.get('group') ?? '';
    parts.owner = parsed.searchParams.get('ownerAccessKey') ?? '';
  } else if (path.endsWith('/events/background-task')) {
    parts.base = origin + path.slice(0, -'/events/background-task'.length);
    parts.mode = 'task';
    parts.taskId = parsed.searchParams.get('taskId') ?? '';
  }
  return parts;
}

/** Builds the Backend.AI events URL from its base and filters. */
export function buildBackendAiUrl(parts: BackendAiUrlParts): string {
  const base = parts.base.trim().replace(/\/+$/, '');
  if (base === '') return '';
  const query = new URLSearchParams();
  if (parts.mode === 'task') {
    if (parts.taskId.trim() !== '') query.set('taskId', parts.taskId.trim());
    const search = query.toString();
    return `${base}/events/background-task${search ? `?${search}` : ''}`;
  }
  if (parts.sessionId.trim() !== '') query.set('sessionId', parts.sessionId.trim());
  if (parts.group.trim() !== '') query.set('group', parts.group.trim());
  if (parts.owner.trim() !== '') query.set('ownerAccessKey', parts.owner.trim());
  const search = query.toString();
  return `${base}/events/session${search ? `?${search}` : ''}`;
}

/** The draft of an existing hub, for editing. */
export function draftFromHub(view: HubConfigView): HubDraft {
  const draft = newHubDraft(view.dialect);
  const auth = view.auth;
  const bai = view.dialect === 'backendai' ? parseBackendAiUrl(view.url) : null;
  const fields = { ...draft.fields };
  for (const key of FIELD_MAP_KEYS) fields[key] = view.fields?.[key] ?? '';
  return {
    ...draft,
    id: view.id,
    name: view.name ?? '',
    transport: view.transport ?? 'auto',
    url: view.url,
    enabled: view.enabled !== false,
    project: view.project ?? '',
    rdevMode: view.streamId !== undefined && view.command === undefined ? 'stream' : 'command',
    command: view.command ?? '',
    streamId: view.streamId ?? '',
    baiBase: bai?.base ?? '',
    baiMode: bai?.mode ?? 'session',
    baiSessionId: bai?.sessionId ?? '',
    baiGroup: bai?.group ?? '',
    baiOwner: bai?.owner ?? '',
    baiTaskId: bai?.taskId ?? '',
    pollUrl: view.pollUrl ?? '',
    pollIntervalSec: view.pollIntervalSec !== undefined ? String(view.pollIntervalSec) : '',
    fields,
    authType: auth?.type ?? 'none',
    authName: auth?.type === 'header' ? auth.name : draft.authName,
    authParam: auth?.type === 'query' ? auth.param : draft.authParam,
    accessKey: auth?.type === 'backendai' ? auth.accessKey : '',
    apiVersion: auth?.type === 'backendai' ? (auth.apiVersion ?? '') : '',
    secret: { mode: 'keep' },
    secretView: secretOf(auth),
    originalAuthType: auth?.type ?? 'none',
    headers: Object.entries(view.headers ?? {}).map(([name, value]) => ({ name, value })),
    silenceTimeoutSec: view.silenceTimeoutSec !== undefined ? String(view.silenceTimeoutSec) : '',
    retention: view.retention !== undefined ? String(view.retention) : '',
  };
}

/** The secret as the hub has it for the draft's current auth type (null: none applies). */
export function currentSecret(draft: HubDraft): SecretView | null {
  if (secretFieldOf(draft.authType) === null) return null;
  if (
    draft.originalAuthType !== null &&
    secretFieldOf(draft.originalAuthType) === secretFieldOf(draft.authType)
  ) {
    return draft.secretView ?? { kind: 'stored', set: false };
  }
  return { kind: 'stored', set: false };
}

/** In words: what the secret will be after saving. */
export function describeSecret(draft: HubDraft): string {
  const edit = draft.secret;
  if (edit.mode === 'replace') return edit.value === '' ? 'not set' : 'will be replaced';
  if (edit.mode === 'clear') return 'will be cleared';
  if (edit.mode === 'env') return edit.env === '' ? 'from an environment variable' : `from env ${edit.env}`;
  const current = currentSecret(draft);
  if (current === null) return '';
  return current.kind === 'env' ? `from env ${current.env}` : current.set ? 'set' : 'not set';
}

/** A hub id from a display name: `Demo bot fleet` → `demo-bot-fleet`. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** The stream URL the draft connects to. */
export function effectiveUrl(draft: HubDraft): string {
  if (draft.dialect !== 'backendai') return draft.url.trim();
  return buildBackendAiUrl({
    base: draft.baiBase,
    mode: draft.baiMode,
    sessionId: draft.baiSessionId,
    group: draft.baiGroup,
    owner: draft.baiOwner,
    taskId: draft.baiTaskId,
  });
}

function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** Problems the form finds before sending, by field (config path: `url`, `auth.token`, `headers`…). */
export type FormErrors = Record<string, string>;

function secretViewFor(draft: HubDraft): SecretView {
  if (draft.secret.mode === 'env') return { kind: 'env', env: draft.secret.env.trim() };
  const current = currentSecret(draft);
  if (draft.secret.mode === 'keep' && current?.kind === 'env') return current;
  return {
    kind: 'stored',
    set:
      draft.secret.mode === 'replace' ? draft.secret.value !== '' : current?.kind === 'stored' && current.set,
  };
}

/** Each auth type's fields besides its secret, as the draft has them. */
const AUTH_FIELDS_OF_DRAFT: { [T in AuthType]: (draft: HubDraft) => AuthPlainFields[T] } = {
  none: () => ({}),
  bearer: () => ({}),
  header: (draft) => ({ name: draft.authName.trim() }),
  query: (draft) => ({ param: draft.authParam.trim() }),
  backendai: (draft) => ({
    accessKey: draft.accessKey.trim(),
    ...(draft.apiVersion.trim() !== '' ? { apiVersion: draft.apiVersion.trim() } : {}),
  }),
};

function authViewOfType<T extends AuthType>(type: T, draft: HubDraft): AuthView {
  return authOf(type, AUTH_FIELDS_OF_DRAFT[type](draft), secretViewFor(draft));
}

function authViewFor(draft: HubDraft): AuthView {
  return authViewOfType(draft.authType, draft);
}

/**
 * The config as the UI sends it. Numbers that do not parse are kept as text so the
 * validation reports them against their field instead of dropping them silently.
 */
function hubViewFor(draft: HubDraft): Record<string, unknown> {
  const hub: Record<string, unknown> = {
    id: draft.id.trim(),
    dialect: draft.dialect,
    url: effectiveUrl(draft),
  };
  if (draft.name.trim() !== '') hub['name'] = draft.name.trim();
  if (WEBSOCKET_DIALECTS.includes(draft.dialect) && draft.transport !== 'auto')
    hub['transport'] = draft.transport;
  hub['auth'] = authViewFor(draft);
  const headers: Record<string, string> = {};
  for (const row of draft.headers) if (row.name.trim() !== '') headers[row.name.trim()] = row.value;
  if (Object.keys(headers).length > 0) hub['headers'] = headers;
  hub['enabled'] = draft.enabled;
  if (draft.dialect === 'rdev') {
    // Empty fields are left out, so the rules say "required" rather than "must be non-empty".
    if (draft.project.trim() !== '') hub['project'] = draft.project.trim();
    if (draft.rdevMode === 'command' && draft.command.trim() !== '') hub['command'] = draft.command.trim();
    if (draft.rdevMode === 'stream' && draft.streamId.trim() !== '') hub['streamId'] = draft.streamId.trim();
  }
  if (draft.dialect === 'evoclaw') {
    if (draft.pollUrl.trim() !== '') hub['pollUrl'] = draft.pollUrl.trim();
    const interval = numberOrText(draft.pollIntervalSec);
    if (interval !== undefined) hub['pollIntervalSec'] = interval;
  }
  if (draft.dialect === 'generic') {
    // As typed: the rules report an entity type that is not one.
    const fields: Partial<Record<FieldMapKey, string>> = {};
    for (const key of FIELD_MAP_KEYS)
      if (draft.fields[key].trim() !== '') fields[key] = draft.fields[key].trim();
    if (Object.keys(fields).length > 0) hub['fields'] = fields;
  }
  const silence = numberOrText(draft.silenceTimeoutSec);
  if (silence !== undefined) hub['silenceTimeoutSec'] = silence;
  const retention = numberOrText(draft.retention);
  if (retention !== undefined) hub['retention'] = retention;
  return hub;
}

/** The save (or test) request for a draft; `previousId` when an existing hub was renamed. */
export function saveRequestFor(draft: HubDraft, previousId: string | null): HubSaveRequest {
  const request: HubSaveRequest = { hub: hubViewFor(draft) as unknown as HubConfigView };
  const field = secretFieldOf(draft.authType);
  if (field !== null) {
    if (draft.secret.mode === 'replace' && draft.secret.value !== '')
      request.secrets = { [field]: draft.secret.value };
    if (draft.secret.mode === 'clear') request.secrets = { [field]: null };
  }
  if (previousId !== null && previousId !== draft.id.trim()) request.previousId = previousId;
  // A new hub must never replace an existing one that happens to have its id.
  if (previousId === null) request.create = true;
  return request;
}

/**
 * Checks a draft with the engine's own config rules (secrets stand in as placeholders:
 * their values never matter for the rules). Returns the problems by field; empty when it
 * may be sent.
 */
export function validateDraft(draft: HubDraft): FormErrors {
  const errors: FormErrors = {};
  const hub = hubViewFor(draft);
  const field = secretFieldOf(draft.authType);
  if (field !== null) {
    const view = secretViewFor(draft);
    const willBeSet = view.kind === 'env' ? view.env !== '' : view.set;
    const secret: SecretValue | undefined =
      view.kind === 'env'
        ? view.env === ''
          ? undefined
          : { env: view.env }
        : willBeSet
          ? 'placeholder'
          : undefined;
    const auth = hub['auth'] as Record<string, unknown>;
    const key = field.slice('auth.'.length);
    if (secret === undefined) {
      errors[field] =
        view.kind === 'env'
          ? 'name the environment variable that holds it'
          : 'required: enter it (it is stored write-only)';
      auth[key] = 'placeholder';
    } else auth[key] = secret;
  }
  if (draft.dialect === 'backendai' && draft.baiBase.trim() === '')
    errors['url'] = 'required: the manager URL';
  if (draft.dialect === 'backendai' && draft.baiMode === 'task' && draft.baiTaskId.trim() === '') {
    errors['taskId'] = 'required: the background task id';
  }
  if (draft.dialect === 'rdev' && draft.rdevMode === 'stream' && draft.streamId.trim() === '') {
    errors['streamId'] = 'required: the id of the stream to follow';
  }
  const result = validateConfig({ hubs: [hub as unknown as HubConfig] });
  if (!result.ok) {
    for (const issue of result.errors) {
      const key = formFieldOf(issue.field);
      if (!(key in errors)) errors[key] = issue.message;
    }
  }
  return errors;
}

/**
 * Where the form shows an error the backend reported: its `field` is a request path
 * (`hub.url`, `secrets.auth.token`) or a config path (`url`, `headers.X-Team`).
 */
export function formFieldOf(field: string): string {
  let key = field
    .replace(/^request\./, '')
    .replace(/^hub\./, '')
    .replace(/^secrets\./, '');
  if (key.startsWith('headers.')) key = 'headers';
  const secretField = SECRET_FIELDS.find((field) => key === field || key.startsWith(`${field}.`));
  if (secretField !== undefined) key = secretField;
  return key;
}

/**
 * The part of a backend error message that is about `field`: config errors read
 * `hub "x" (hubs[0]): url: is not a valid URL`, and next to the URL field only
 * "is not a valid URL" needs saying.
 */
export function fieldMessage(message: string, field: string): string {
  const line = message.split('\n')[0] ?? message;
  const marker = `${field}: `;
  const at = line.indexOf(marker);
  return at < 0 ? line : line.slice(at + marker.length);
}
