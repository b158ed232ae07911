import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { HashQueue } from './hash-queue';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HashQueue', () => {
  it('runs no more than its concurrency at once and starts the rest in arrival order', async () => {
    const queue = new HashQueue(2, 10);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      queue.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([queue.running, queue.waiting]).toEqual([2, 3]);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('passes the slot on when a hash fails', async () => {
    const queue = new HashQueue(1, 10);
    const first = deferred();
    const failing = queue.run(() => first.promise);
    const second = queue.run(async () => 'second');
    first.reject(new Error('hash failed'));
    await expect(failing).rejects.toThrow('hash failed');
    expect(await second).toBe('second');
    expect(queue.running).toBe(0);
  });

  it('refuses with a 503 once its waiting line is full, and keeps serving the line', async () => {
    const queue = new HashQueue(1, 2);
    const gate = deferred();
    const runs = [queue.run(() => gate.promise), queue.run(async () => 'a'), queue.run(async () => 'b')];
    const refused = await queue.run(async () => 'c').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('service_unavailable');
    expect((refused as AppError).retryAfter).toBe(1);
    gate.resolve();
    expect(await Promise.all(runs)).toEqual([undefined, 'a', 'b']);
  });
});
