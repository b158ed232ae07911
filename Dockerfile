# syntax=docker/dockerfile:1
# Production image: Next.js's standalone server behind the same start script the tests use
# (scripts/run-app.mjs: apply migrations, bootstrap the admin, serve). Data lives in /app/data.
# Only what runs is shipped (scripts/image-files.mjs): the traced server, the Prisma CLI that
# migrates, the request guard; no build tools, no dev or build-only packages.
#
#   docker build -t staysignedin .
#   docker run -p 3000:3000 -e AUTH_SECRET="$(openssl rand -base64 48)" -v staysignedin:/app/data staysignedin

# ── build stage: dependencies (with the toolchain better-sqlite3 needs when no prebuilt binary
#    can be fetched), the standalone build, then the image's files assembled in .next/image
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# What `npm ci` needs: its postinstall generates both Prisma clients.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY lib/db/location.ts lib/db/postgres-migration-adapter.ts lib/db/store.ts ./lib/db/
RUN npm ci --no-audit --no-fund
COPY . .
RUN NEXT_OUTPUT=standalone npm run build \
 && node scripts/image-files.mjs .next/image \
 && cd .next/image \
 && node -e "require('better-sqlite3')(':memory:'); require('@node-rs/argon2')"

# ── runtime: no toolchain, no dev dependencies, no caches
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=file:./data/app.db \
    DATA_DIR=./data \
    NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=build --chown=node:node /app/.next/image ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
# SIGTERM: the start script passes it on; Next.js stops accepting, finishes in-flight requests, exits.
STOPSIGNAL SIGTERM
CMD ["node", "scripts/run-app.mjs", "start"]
