# One image for the webhook and the relay; the subcommand differs (see manifests/base/statefulset.yaml).

# Build stage: the full toolchain and dev dependencies, TypeScript compiled to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the node@24 dev dependency exists for machines whose Node is older; the image has Node 24.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

# Runtime stage: Node 24, production dependencies and compiled JavaScript only. npm, npx and
# corepack are removed (nothing runs them at runtime); files stay root-owned and read-only to the
# numeric non-root user the pods run as (runAsUser 1000).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# A 2 MB young generation keeps RSS about 100 MB lower with 30,000 cached objects at full admission
# load (the bin's shebang and npm start set it too; npm run bench reads this line and measures it).
ENV NODE_OPTIONS=--max-semi-space-size=2
# glibc malloc's settings (MALLOC_ARENA_MAX=2 and fixed 128 KiB thresholds) are set by the program
# itself when it restarts with its Node flags (src/cli/node-flags.ts; docs/relay.md, Storms).
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
USER 1000:1000
# 8443: the webhook (HTTPS); 9292: the relay's event API (notify-guard relay --listen 0.0.0.0:9292).
EXPOSE 8443 9292
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
# In a cluster the webhook reads the API server with its service account.
CMD ["webhook", "--listen", "0.0.0.0:8443", "--self-managed-certs"]
