/**
 * A set of listeners: `add` returns the unsubscribe function every `subscribe`/`onError` in Quire hands
 * back, and `emit` calls each listener registered when it starts. Listeners added or removed while an emit
 * runs take effect from the next one: a listener that unsubscribes itself (or another) mid-emit neither
 * skips a neighbour nor is called twice.
 *
 * A listener that throws is not caught here: callers decide (a bug in a listener must surface, never be
 * logged and forgotten).
 */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  /** Registers `listener`; the returned function removes it (calling it twice is harmless). */
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(value: T): void {
    if (this.set.size === 0) return;
    for (const listener of [...this.set]) listener(value);
  }

  /**
   * Like `emit`, but a listener that throws does not keep the others from hearing the value: every
   * listener is called, then the first error is rethrown (it still surfaces; only the order is kept fair).
   */
  emitToAll(value: T): void {
    let failure: { error: unknown } | undefined;
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  get size(): number {
    return this.set.size;
  }

  clear(): void {
    this.set.clear();
  }
}
