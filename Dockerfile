# Contacts Gateway: multi-stage image.
#   build:   all dependencies + `npm run build` (tsc → dist/)
#   runtime: production dependencies only, non-root, HEALTHCHECK on /healthz
# Build:  docker build -t contacts-gateway .
# Run:    docker run -p 4000:4000 -e CONTACTS_API_URL=… -e CONTACTS_API_TOKEN=… -e CONTACTS_LOCATION_ID=… \
#           -e AUTH_JWT_SECRET=… -v cgw-data:/data contacts-gateway
# Doctor: docker run --rm -e … contacts-gateway node dist/src/doctor.js

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The credential store (encrypted, 0600) lives in /data; owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
# SIGTERM starts a graceful shutdown (drain HTTP, close websockets with 1001, finish in-flight work).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same node flags as `npm start` (package.json; test/unit/config/start-command.test.ts keeps them equal).
CMD ["node", "--max-semi-space-size=8", "--no-allocation-site-pretenuring", "dist/src/main.js"]
