# syntax=docker/dockerfile:1
# Production image: `next start` behind the same start script the tests use
# (scripts/run-app.mjs: apply migrations, then start). SQLite lives in /app/data (a volume).
#
#   docker build -t staysignedin .
#   docker run -p 3000:3000 -e AUTH_SECRET="$(openssl rand -base64 48)" -v staysignedin:/app/data staysignedin

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Toolchain for better-sqlite3 when its prebuilt binary cannot be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# What `npm ci` needs (its postinstall generates the Prisma client).
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY lib/db/location.ts ./lib/db/location.ts
COPY scripts/prisma.mjs ./scripts/prisma.mjs
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node -e "require('better-sqlite3')(':memory:'); require('@node-rs/argon2')"

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=file:./data/app.db \
    DATA_DIR=./data \
    NEXT_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/prisma.config.ts /app/next.config.js ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/.next ./.next
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/scripts ./scripts
COPY --from=build --chown=node:node /app/lib/db/location.ts ./lib/db/location.ts
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "scripts/run-app.mjs", "start"]
