// Types for request-guard.cjs (plain CommonJS so that `node --require` can load it before the app).
import type { RequestListener, Server } from 'node:http';

export const MAX_BODY_BYTES: number;
export const METHODS: readonly string[];
export const PEER_HEADER: string;
export function guardListener(listener: RequestListener, limit: number): RequestListener;
export function install(server: Server, limit: number): void;
export function patchCreateServer(limit?: number): void;
