// Types for shared.cjs.
export const MAX_BODY_BYTES: number;
export const PEER_HEADER: string;
export const GUARD_ACTIVE: unique symbol;
export function problemBody(
  code: string,
  title: string,
  status: number,
  detail: string,
): { type: string; title: string; status: number; detail: string; code: string };
