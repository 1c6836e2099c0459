import { beforeEach, describe, expect, it } from 'vitest';
import { resetStub, stub } from './support/electron';
import type { Alert } from '../../../src/shared/alerts';

const { AlertNotifier, notificationText } = await import('../../../src/main/notifications');

function crash(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    ruleId: 'protocube-crash',
    ruleName: 'Server crashed',
    hub: 'cube',
    entity: { type: 'server', id: 'srv-3' },
    severity: 'error',
    title: 'Server srv-3 crashed on cube',
    body: 'crash: out of memory (exit 137)',
    count: 1,
    firstAt: 1,
    lastAt: 1,
    event: { hub: 'cube', seq: 42 },
    ...overrides,
  };
}

describe('alert notifications', () => {
  let clicked: Alert[];
  let now: number;
  let notifier: InstanceType<typeof AlertNotifier>;

  beforeEach(() => {
    resetStub();
    clicked = [];
    now = 1_000_000;
    notifier = new AlertNotifier({
      hubName: (hub) => (hub === 'cube' ? 'Production cube' : hub),
      onClick: (alert) => clicked.push(alert),
      now: () => now,
    });
  });

  it('shows a new alert naming the hub and the entity', () => {
    notifier.handle(crash(), true);
    expect(stub.notifications).toHaveLength(1);
    const shown = stub.notifications[0]!;
    expect(shown.shown).toBe(true);
    expect(shown.options.title).toBe('Server srv-3 crashed on cube');
    expect(shown.options.body).toBe('Production cube · server srv-3\ncrash: out of memory (exit 137)');
    expect(shown.options.silent).toBe(false);
  });

  it('never shows a coalesced update: a storm is one notification', () => {
    notifier.handle(crash(), true);
    for (let count = 2; count <= 40; count++) notifier.handle(crash({ count }), false);
    expect(stub.notifications).toHaveLength(1);
  });

  it('stays quiet while muted, and speaks again when the mute ends', () => {
    notifier.muteUntil(now + 1000);
    notifier.handle(crash(), true);
    expect(stub.notifications).toHaveLength(0);
    now += 1001;
    expect(notifier.mutedUntilTime()).toBeNull();
    notifier.handle(crash({ id: 'a2' }), true);
    expect(stub.notifications).toHaveLength(1);
  });

  it('hands the alert back when the notification is clicked', () => {
    notifier.handle(crash(), true);
    stub.notifications[0]!.emit('click', {});
    expect(clicked.map((alert) => alert.event)).toEqual([{ hub: 'cube', seq: 42 }]);
  });

  it('shows the alert as the engine redacted it, with the hub name and entity id as they are', () => {
    // The engine replaced the token `fleet` in the message; the names around it are identity.
    notifier.handle(
      crash({
        hub: 'fleet',
        entity: { type: 'server', id: 'srv-fleet' },
        title: 'Server srv-fleet crashed on fleet',
        body: 'auth REDACTED expired',
      }),
      true,
    );
    expect(stub.notifications[0]!.options).toMatchObject({
      title: 'Server srv-fleet crashed on fleet',
      body: 'fleet · server srv-fleet\nauth REDACTED expired',
    });
  });

  it('words an alert without an entity by its hub alone', () => {
    expect(notificationText(crash({ entity: null, title: 't', body: 'b' }), 'Hub')).toEqual({
      title: 't',
      body: 'Hub\nb',
    });
    expect(
      notificationText(crash({ entity: { type: 'task', id: 't-1' } }), 'BAI').body.startsWith(
        'BAI · task t-1\n',
      ),
    ).toBe(true);
  });
});
