# Kopij API image: the TypeScript compiled in a build stage (`npm run build`: src -> dist, then
# the server bundled into dist/bundle/server.js), run by plain node, like `npm start`.
#   docker build -t kopij .
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://... -e ADMIN_KEY=... kopij
# Without DATABASE_URL the API uses embedded PGlite under DATA_DIR=/app/data: mount a volume there.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first so this layer is cached until the lockfile changes; dev tooling is left out.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY migrations ./migrations
COPY --from=build /app/dist ./dist

RUN mkdir -p /app/data && chown node:node /app/data

# The official image's unprivileged user (uid 1000).
USER node

EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Same as `npm start` (node --max-semi-space-size=4 --max-old-space-size=512 --no-sparkplug dist/bundle/server.js),
# but without npm and `sh -c` in between: npm passes
# SIGTERM only to that shell, which does not pass it on, so `docker stop` would kill the server
# without its graceful shutdown. Run this way the server gets SIGTERM itself and drains.
# --max-semi-space-size=4 (MiB): V8's young generation stays at 8 MiB instead of growing to
# 32 MiB, ~24 MB less RSS under load at no throughput cost we could measure (BENCHMARKS.md).
# --max-old-space-size=512 (MiB): with a heap limit this size V8 lets the old generation grow
# to ~1.4x what survived the last full GC instead of up to 4x; the live heap is ~35 MB, and
# the peak RSS of the heavy scenarios fell from ~300 to ~200 MB at the same throughput.
# --no-sparkplug: no baseline (Sparkplug) machine code for warm functions; the hot ones are
# optimised as before. V8's code space under the bench's load peaked at 3.8 instead of 6.5 MB,
# RSS 3-6 MB lower, with no more CPU per request measured (BENCHMARKS.md, fifteenth session).
# MALLOC_ARENA_MAX=2: at most two glibc malloc arenas instead of up to 8 per core; threads
# do not keep freed memory in arenas of their own: 7-10 MB less RSS under load, no CPU cost
# measured (BENCHMARKS.md, sixteenth session). Not in `npm start`, which must run in any shell.
ENV MALLOC_ARENA_MAX=2
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=512", "--no-sparkplug", "dist/bundle/server.js"]
