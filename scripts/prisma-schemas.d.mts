// Types for prisma-schemas.mjs (a plain ESM script shared by the CLI wrapper, prisma.config.ts and tests).
export type Provider = 'sqlite' | 'postgresql';
export const ROOT: string;
export const PROVIDERS: readonly Provider[];
export function providerOf(databaseUrl: string | undefined): Provider;
export function schemaText(provider: Provider): string;
export function schemaPath(provider: Provider): string;
export function migrationsPath(provider: Provider): string;
