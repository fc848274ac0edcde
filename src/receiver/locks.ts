// One push at a time per app. A push holds its app until its work is done *and* git has finished
// with its refs: the next push must see the branch as the last one left it.

export class AppLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs fn once the app is free (calling waiting first if it is not); frees it when fn and holdUntil are both done. */
  async run<T>(key: string, waiting: () => void, holdUntil: Promise<void>, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = (prev ?? Promise.resolve()).then(() => mine);
    this.tails.set(key, tail);
    if (prev) {
      waiting();
      await prev;
    }
    const work = fn();
    void Promise.allSettled([work, holdUntil]).then(() => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return work;
  }

  get size(): number {
    return this.tails.size;
  }
}
