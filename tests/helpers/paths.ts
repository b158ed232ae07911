import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** A fresh directory for one test's database and data files. */
export function tempDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `staysignedin-${label}-`));
}
