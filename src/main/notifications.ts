/**
 * Alerts as OS notifications. The engine raises an alert once and then coalesces the
 * events that follow into it (`isNew: false`), so a storm of crashes is one notification;
 * only new alerts are shown here. Per-hub mutes already suppress alerts in the engine; the
 * tray's "mute for an hour" is applied here. Clicking a notification brings the window
 * back and shows the event that raised the alert.
 */
import { Notification, type NativeImage } from 'electron';
import type { Alert } from '../shared/alerts';

/** Notifications kept referenced: one that is garbage-collected stops delivering `click`. */
const KEPT = 20;

export interface AlertNotifierOptions {
  /** The hub's display name (its id when it has none). */
  hubName(hub: string): string;
  /** The notification was clicked: show the window on this alert's event. */
  onClick(alert: Alert): void;
  icon?: NativeImage;
  now?: () => number;
}

const ENTITY_WORDS: Record<string, string> = {
  bot: 'bot',
  server: 'server',
  session: 'session',
  task: 'task',
  command: 'command',
};

/**
 * The notification's text: the alert's title, then the hub by name and the entity, then
 * what happened. Nothing here is redacted again: the engine built the alert's title and
 * body from the redacted message, and the hub name and entity id are identity (redacting
 * the whole text would rewrite a hub `ops-fleet` whose token is `fleet`).
 */
export function notificationText(alert: Alert, hubName: string): { title: string; body: string } {
  const entity = alert.entity
    ? `${ENTITY_WORDS[alert.entity.type] ?? alert.entity.type} ${alert.entity.id}`
    : null;
  const where = entity ? `${hubName} · ${entity}` : hubName;
  return { title: alert.title, body: `${where}\n${alert.body}` };
}

export class AlertNotifier {
  private mutedUntil = 0;
  private readonly live: Notification[] = [];
  private readonly now: () => number;

  constructor(private readonly options: AlertNotifierOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Silences notifications until `until` (epoch ms); 0 unmutes. */
  muteUntil(until: number): void {
    this.mutedUntil = until;
  }

  /** Epoch ms notifications are muted until, or null when they are not muted. */
  mutedUntilTime(): number | null {
    return this.mutedUntil > this.now() ? this.mutedUntil : null;
  }

  /** One alert from the engine; shows it when it is new and notifications are on. */
  handle(alert: Alert, isNew: boolean): void {
    if (!isNew) return;
    if (this.mutedUntilTime() !== null) return;
    if (!Notification.isSupported()) return;
    const text = notificationText(alert, this.options.hubName(alert.hub));
    const notification = new Notification({
      title: text.title,
      body: text.body,
      silent: alert.severity !== 'error',
      ...(this.options.icon ? { icon: this.options.icon } : {}),
    });
    const forget = () => {
      const index = this.live.indexOf(notification);
      if (index >= 0) this.live.splice(index, 1);
    };
    notification.on('click', () => {
      forget();
      this.options.onClick(alert);
    });
    notification.on('close', forget);
    this.live.push(notification);
    if (this.live.length > KEPT) this.live.shift();
    notification.show();
  }

  /** Closes what is still on screen (shutdown). */
  closeAll(): void {
    for (const notification of this.live.splice(0)) notification.close();
  }
}
