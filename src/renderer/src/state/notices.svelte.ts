/**
 * Things the operator should read: pushed notices from the engine and errors of actions
 * that have no better place to show them. Dismissible; repeats fold into one with a count.
 */
export interface Notice {
  id: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  count: number;
}

/** The dismissible banners. */
export class NoticesStore {
  list: Notice[] = $state.raw([]);
  #nextId = 1;

  add(level: Notice['level'], message: string): void {
    const same = this.list.find((notice) => notice.level === level && notice.message === message);
    if (same) {
      this.list = this.list.map((notice) =>
        notice === same ? { ...notice, count: notice.count + 1 } : notice,
      );
      return;
    }
    this.list = [...this.list, { id: this.#nextId++, level, message, count: 1 }].slice(-5);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((notice) => notice.id !== id);
  }
}
