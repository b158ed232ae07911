// @ts-check
// The cost of having a middleware at all: it matches the ping route and does nothing.
import { NextResponse } from 'next/server';

export function middleware() {
  return NextResponse.next();
}

export const config = { runtime: 'nodejs', matcher: '/api/ping' };
