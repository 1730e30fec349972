# Reativa's production image: `docker build -t reativa .` (README, "Running in
# production"). Three stages: the build compiles TypeScript with the development
# dependencies; the runtime gets only the production dependencies, the compiled
# code and the files it reads at run time (package.json's "files"), and runs as
# the unprivileged `node` user. scripts/check-prod-install.sh proves the same
# install (npm ci --omit=dev, then node dist/cli/main.js start) on a machine
# without Docker; test/unit/deploy/deployment-files.test.ts keeps this file, package.json,
# docker-compose.yml and the settings in agreement.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    REATIVA_STACK=external \
    REATIVA_HTTP_HOST=0.0.0.0 \
    REATIVA_HTTP_PORT=8090 \
    REATIVA_STATE_DIR=/var/lib/reativa/state
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY connectors ./connectors
COPY stack/pom.xml stack/log4j2.yaml ./stack/
# The mapper's state store (LMDB) lives on a volume: one per mapper container.
RUN mkdir -p /var/lib/reativa/state && chown -R node:node /var/lib/reativa
USER node
VOLUME ["/var/lib/reativa"]
# /healthz, /readyz, /metrics (and the admin page, when its credentials are set).
EXPOSE 8090
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.REATIVA_HTTP_PORT}/healthz`,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `docker run reativa` starts every stage; `docker run reativa start --stages delivery` one of them;
# any other command (lag, replay, dlq…) the same way.
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start"]
