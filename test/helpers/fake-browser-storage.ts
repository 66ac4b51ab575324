/**
 * Just enough of a browser's IndexedDB and localStorage for Node tests of model storage: the calls that
 * bnwasm's and TF.js's handlers make (open with upgrade, object stores keyed by a property, put/get/delete,
 * transactions that complete after their requests, values stored as structured clones).
 */
type Handler = (() => void) | null;

class FakeRequest<T = unknown> {
  result: T | undefined;
  error: unknown = null;
  onsuccess: Handler = null;
  onerror: Handler = null;
  onupgradeneeded: Handler = null;
}

class FakeTransaction {
  oncomplete: Handler = null;
  onerror: Handler = null;
  private pending = 0;
  constructor(private readonly db: FakeDatabase) {}
  objectStore(name: string) {
    const store = this.db.stores.get(name);
    if (!store) throw new Error(`NotFoundError: no object store '${name}'`);
    const run = <T>(fn: () => T): FakeRequest<T> => {
      const r = new FakeRequest<T>();
      this.pending++;
      setTimeout(() => {
        try { r.result = fn(); r.onsuccess?.(); } catch (e) { r.error = e; r.onerror?.(); }
        if (--this.pending === 0) setTimeout(() => this.oncomplete?.(), 0);
      }, 0);
      return r;
    };
    return {
      put: (value: Record<string, unknown>) => run(() => { store.data.set(value[store.keyPath] as string, structuredClone(value)); return value[store.keyPath]; }),
      get: (key: string) => run(() => structuredClone(store.data.get(key))),
      delete: (key: string) => run(() => { store.data.delete(key); }),
    };
  }
}

class FakeDatabase {
  readonly stores = new Map<string, { keyPath: string; data: Map<string, unknown> }>();
  createObjectStore(name: string, options: { keyPath: string }) {
    this.stores.set(name, { keyPath: options.keyPath, data: new Map() });
  }
  transaction(names: string | string[], _mode?: string) {
    for (const n of [names].flat()) if (!this.stores.has(n)) throw new Error(`NotFoundError: no object store '${n}'`);
    return new FakeTransaction(this);
  }
  close() {}
}

export class FakeIndexedDB {
  private readonly databases = new Map<string, FakeDatabase>();
  open(name: string, _version?: number) {
    const r = new FakeRequest<FakeDatabase>();
    setTimeout(() => {
      let db = this.databases.get(name);
      r.result = db ?? new FakeDatabase();
      if (!db) { db = r.result; this.databases.set(name, db); r.onupgradeneeded?.(); }
      r.onsuccess?.();
    }, 0);
    return r;
  }
}

export class FakeLocalStorage {
  private readonly items = new Map<string, string>();
  constructor(private readonly quotaChars = Infinity) {}
  get length() { return this.items.size; }
  key(i: number) { return [...this.items.keys()][i] ?? null; }
  getItem(k: string) { return this.items.get(k) ?? null; }
  setItem(k: string, v: string) {
    const used = [...this.items.values()].reduce((s, x) => s + x.length, 0);
    if (used + String(v).length > this.quotaChars) throw new Error('QuotaExceededError');
    this.items.set(k, String(v));
  }
  removeItem(k: string) { this.items.delete(k); }
  clear() { this.items.clear(); }
  keys() { return [...this.items.keys()]; }
}
