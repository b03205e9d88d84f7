/** What the fair queue needs of an item: who it belongs to, its priority, and whether it left the queue. */
export interface Queued {
  readonly user: string;
  /** Higher runs first; a routing rule may set it. Default 0. */
  readonly priority: number;
  /** Set by FairQueue.remove; a removed item is skipped and dropped when it reaches the head. */
  removed: boolean;
}

/** A FIFO with O(1) push and shift (an array and a head index, compacted now and then). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  unshift(x: T): void {
    if (this.head > 0) this.items[--this.head] = x;
    else this.items.unshift(x);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const x = this.items[this.head];
    if (x === undefined) return undefined;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }
}

/** One priority level: a FIFO per user and a ring of the users that have one, served in turn. */
class Level<T extends Queued> {
  readonly byUser = new Map<string, Fifo<T>>();
  ring: string[] = [];
  cursor = 0;
}

/**
 * FairQueue orders waiting queries: the highest priority first; within a priority, users in turn
 * (round-robin), so one user submitting ten times as much waits behind the others' next query, not behind
 * all of its own; within a user, first in, first out. `next` may skip a user whose head cannot run yet (that
 * user is at its own limit) without losing its turn order.
 */
export class FairQueue<T extends Queued> {
  private readonly levels = new Map<number, Level<T>>();
  private priorities: number[] = [];
  private count = 0;
  /** The item next() returned last and where its user sat in the ring, for putBack. */
  private lastItem: T | undefined;
  private lastIdx = 0;

  get size(): number {
    return this.count;
  }

  push(item: T, front = false): void {
    let level = this.levels.get(item.priority);
    if (!level) {
      level = new Level<T>();
      this.levels.set(item.priority, level);
      this.priorities = [...this.levels.keys()].sort((a, b) => b - a);
    }
    let fifo = level.byUser.get(item.user);
    if (!fifo) {
      level.byUser.set(item.user, (fifo = new Fifo<T>()));
      level.ring.push(item.user);
    }
    if (front) fifo.unshift(item);
    else fifo.push(item);
    item.removed = false;
    this.count++;
  }

  /**
   * putBack returns an item `next` just took (it could not run after all) to the front of its user's line,
   * and gives that user its turn back, so a failed hand-out changes nobody's place.
   */
  putBack(item: T): void {
    const wasLast = this.lastItem === item;
    const lastIdx = this.lastIdx;
    this.lastItem = undefined;
    const level = this.levels.get(item.priority);
    const fifo = level?.byUser.get(item.user);
    if (level && fifo && wasLast && level.ring[lastIdx] === item.user) {
      // The user still has a line (the common case): O(1), no search of the ring.
      fifo.unshift(item);
      item.removed = false;
      this.count++;
      level.cursor = lastIdx;
      return;
    }
    this.push(item, true);
    const l = this.levels.get(item.priority)!;
    if (wasLast && !fifo && lastIdx < l.ring.length - 1) {
      // Its line had emptied (push put the user last): back to where it was in the ring.
      l.ring.splice(l.ring.length - 1, 1);
      l.ring.splice(lastIdx, 0, item.user);
      l.cursor = lastIdx;
    } else l.cursor = l.ring.indexOf(item.user);
  }

  /** remove takes an item out (cancelled, expired); O(1), the slot in its FIFO is skipped later. */
  remove(item: T): void {
    if (item.removed) return;
    item.removed = true;
    this.count--;
  }

  /**
   * next takes the item whose turn it is among those `canRun` accepts (users at their limit are passed
   * over), or undefined when none may run. The user served moves to the back of the ring.
   */
  next(canRun?: (item: T) => boolean): T | undefined {
    // dropLevel replaces this.priorities (never changes it in place): the loop walks the array it began with.
    for (const p of this.priorities) {
      const level = this.levels.get(p)!;
      const ring = level.ring;
      let idx = ring.length ? level.cursor % ring.length : 0;
      for (let visited = 0, n = ring.length; visited < n && ring.length > 0; visited++) {
        if (idx >= ring.length) idx = 0;
        const user = ring[idx];
        const head = this.head(level, user);
        if (!head) {
          this.dropUser(level, idx); // the next user moves up to idx
          continue;
        }
        if (canRun && !canRun(head)) {
          idx++;
          continue;
        }
        level.byUser.get(user)!.shift();
        this.count--;
        this.lastItem = head;
        this.lastIdx = idx;
        // The turn passes to the user after this one (who sits at idx once this one is dropped).
        if (this.head(level, user)) idx++;
        else this.dropUser(level, idx);
        level.cursor = ring.length ? idx % ring.length : 0;
        if (ring.length === 0) this.dropLevel(p);
        return head;
      }
      if (ring.length === 0) this.dropLevel(p);
    }
    return undefined;
  }

  /** inOrder lists the waiting items in the order next would serve them if all could run (console, positions). */
  inOrder(limit = Infinity): T[] {
    const out: T[] = [];
    for (const p of this.priorities) {
      const level = this.levels.get(p)!;
      const iters = rotate(level.ring, level.cursor).map((u) => live(level.byUser.get(u)!));
      let any = true;
      while (any && out.length < limit) {
        any = false;
        for (const it of iters) {
          const r = it.next();
          if (r.done) continue;
          any = true;
          out.push(r.value);
          if (out.length >= limit) break;
        }
      }
    }
    return out;
  }

  /** head is the user's first item still waiting (removed ones are dropped on the way). */
  private head(level: Level<T>, user: string): T | undefined {
    const fifo = level.byUser.get(user);
    while (fifo && fifo.length > 0 && fifo.peek()!.removed) fifo.shift();
    return fifo?.peek();
  }

  private dropUser(level: Level<T>, idx: number): void {
    level.byUser.delete(level.ring[idx]);
    level.ring.splice(idx, 1);
    if (level.cursor > idx) level.cursor--;
  }

  private dropLevel(p: number): void {
    this.levels.delete(p);
    this.priorities = this.priorities.filter((x) => x !== p);
  }
}

function rotate<T>(xs: T[], k: number): T[] {
  return xs.length ? [...xs.slice(k), ...xs.slice(0, k)] : [];
}

function* live<T extends Queued>(fifo: Iterable<T>): Generator<T> {
  for (const x of fifo) if (!x.removed) yield x;
}
