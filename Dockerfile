# Freeda: a small production image. Build: docker build -t freeda .   Run: see compose.yaml and docs/deploy.md.
# syntax=docker/dockerfile:1

# 1. Production dependencies only (tsx runs the TypeScript sources: no build step).
FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. Runtime: sources + dependencies, as the unprivileged `node` user.
FROM node:22-slim
ENV NODE_ENV=production PORT=8000 DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json ./
COPY --chown=node:node src ./src
COPY --chown=node:node adapters ./adapters
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts", "serve"]
