// The compose files are valid YAML with the shape operators rely on: AUTH_SECRET required and
// never defaulted, PostgreSQL healthy before the app starts, data in named volumes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/paths';

type Service = {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const load = (file: string) => parse(readFileSync(path.join(ROOT, file), 'utf8')) as Compose;

describe('docker-compose.yml (app + PostgreSQL)', () => {
  const compose = load('docker-compose.yml');
  const app = compose.services.app!;
  const db = compose.services.db!;

  it('requires AUTH_SECRET and never defaults it', () => {
    expect(app.environment?.AUTH_SECRET).toMatch(/^\$\{AUTH_SECRET:\?.+\}$/);
  });

  it('starts the app only once PostgreSQL is healthy', () => {
    expect(db.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(app.depends_on?.db?.condition).toBe('service_healthy');
    expect(app.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/.+@db:5432\//);
  });

  it('keeps the database in a named volume', () => {
    expect(db.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('pgdata');
  });
});

describe('docker-compose.sqlite.yml (one instance, SQLite)', () => {
  const compose = load('docker-compose.sqlite.yml');
  const app = compose.services.app!;

  it('requires AUTH_SECRET and keeps the data directory in a named volume', () => {
    expect(app.environment?.AUTH_SECRET).toMatch(/^\$\{AUTH_SECRET:\?.+\}$/);
    expect(app.environment?.DATABASE_URL).toBeUndefined(); // the image's default: the SQLite file in /app/data
    expect(app.volumes).toContain('data:/app/data');
    expect(compose.volumes).toHaveProperty('data');
  });
});

describe('docker-compose.proxy.yml (two replicas behind nginx over TLS)', () => {
  const compose = load('docker-compose.proxy.yml');
  const replicas = ['app1', 'app2'].map((name) => compose.services[name]! as Service & { ports?: string[] });
  const proxy = compose.services.proxy! as Service & { ports?: string[] };
  const nginx = readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');

  it('publishes only the proxy: with TRUST_PROXY=true a replica must not be reachable around it', () => {
    for (const replica of replicas) {
      expect(replica.ports).toBeUndefined();
      expect(replica.environment?.TRUST_PROXY).toBe('true');
      expect(replica.environment?.AUTH_SECRET).toMatch(/^\$\{AUTH_SECRET:\?.+\}$/);
      expect(replica.depends_on?.db?.condition).toBe('service_healthy');
    }
    expect(proxy.ports).toEqual(['${HTTPS_PORT:-443}:443']);
  });

  it('sends every request to both replicas and overwrites the forwarded headers', () => {
    expect(nginx).toMatch(/server app1:3000;/);
    expect(nginx).toMatch(/server app2:3000;/);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    expect(proxy.volumes).toContain('./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro');
  });
});
