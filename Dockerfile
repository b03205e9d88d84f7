# syntax=docker/dockerfile:1
# Switchyard: multi-stage build on the current Node LTS. The image runs compiled JavaScript (npm run build);
# no TypeScript loader at run time.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY test/helpers/trino-emulator ./test/helpers/trino-emulator
COPY drizzle ./drizzle
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    SWITCHYARD_CONFIG=/etc/switchyard/gateway.config.yaml \
    SWITCHYARD_DB_PATH=/var/lib/switchyard/switchyard.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY rules /etc/switchyard/rules
COPY gateway.config.yaml /etc/switchyard/gateway.config.yaml
RUN mkdir -p /var/lib/switchyard && chown -R node:node /var/lib/switchyard /etc/switchyard
USER node
# Config (and rules) and data live outside the image: mount your own.
VOLUME ["/etc/switchyard", "/var/lib/switchyard"]
EXPOSE 8080
# Reads the same config as the gateway (SWITCHYARD_CONFIG: set that, rather than passing --config to the
# CMD), so the scheme (server.tls) and the port are always its own. Plain JavaScript: about 0.3 CPU-seconds
# a check (SWITCHYARD_HEALTHCHECK_URL=http://127.0.0.1:8080/healthz skips reading the config: less still).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "dist/src/cli/healthcheck.js"]
# --no-memory-reducer, --min-semi-space-size=16, --no-concurrent-array-buffer-sweeping: see README "Runtime flags" (without them, large result
# pages can stream at half speed while V8 runs a full garbage collection every 30-50 ms).
CMD ["node", "--no-memory-reducer", "--min-semi-space-size=16", "--no-concurrent-array-buffer-sweeping", "dist/src/main.js"]
