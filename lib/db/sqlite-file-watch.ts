/**
 * Notices when the SQLite file under a running server is deleted or replaced (a volume unmounted,
 * a file removed by hand). SQLite keeps writing to the open, unlinked inode without an error, so
 * every write after that would be lost at the next restart. The store asks `assertPresent()` before
 * each operation; a `stat` is cheap and its answer is reused for a short while.
 */
import 'server-only';
import { statSync } from 'node:fs';
import { DatabaseUnavailableError } from './faults';

const RECHECK_MS = 250;

export class SqliteFileWatch {
  readonly #path: string;
  #identity: string | null = null;
  #checkedAt = 0;
  #problem: string | null = null;

  constructor(path: string) {
    this.#path = path;
  }

  #identityOnDisk(): string | null {
    try {
      const stat = statSync(this.#path);
      return `${stat.dev}:${stat.ino}`;
    } catch {
      return null;
    }
  }

  /** Throws DatabaseUnavailableError when the file we opened is no longer the file at our path. */
  assertPresent(now = Date.now()): void {
    if (now - this.#checkedAt >= RECHECK_MS) {
      this.#checkedAt = now;
      const onDisk = this.#identityOnDisk();
      // The first sighting names the file; until then (not created yet) there is nothing to lose.
      this.#identity ??= onDisk;
      if (this.#identity !== null && onDisk !== this.#identity) {
        this.#problem = onDisk === null ? 'the database file is gone' : 'the database file was replaced';
      } else {
        this.#problem = null;
      }
    }
    if (this.#problem) throw new DatabaseUnavailableError(`${this.#problem}: ${this.#path}`);
  }
}
