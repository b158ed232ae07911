/** A KeyStore in memory: IndexedDB as a Node test has it (none), or as a browser that refuses it. */
import type { DpopKey, KeyStore } from '@/lib/client/dpop-keys';

export function memoryKeys(options: { refuses?: boolean } = {}): KeyStore & { held: () => DpopKey[] } {
  const keys = new Map<string, DpopKey>();
  return {
    save: async (key) => {
      if (options.refuses) return false;
      keys.set(key.jkt, key);
      return true;
    },
    load: async (jkt) => keys.get(jkt) ?? null,
    forget: async (jkt) => void keys.delete(jkt),
    forgetOlder: async (newest) => {
      for (const key of [...keys.values()]) if (!newest || key.createdAt < newest.createdAt) keys.delete(key.jkt);
    },
    held: () => [...keys.values()],
  };
}
