# syntax=docker/dockerfile:1
# Planning Proxy: one process (scraper, feed server, Discord bot) over SQLite in /data.
# Node runs the TypeScript sources directly (type stripping), so there is no build step.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 ships prebuilt N-API binaries: no compiler, no install scripts needed.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATABASE_PATH=/data/planning-proxy.db
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY drizzle ./drizzle
COPY samples ./samples
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=process.env.PORT||process.env.FLASK_PORT||3000;fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 here and handles SIGTERM/SIGINT itself (graceful stop within 10 s); run with
# --init (compose: init: true) so that zombie processes are reaped as well.
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
