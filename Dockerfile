# The standalone server (`npm run serve`) as a container, beside Prometheus, without Lambda.
#   docker build -t pushgateway-exporter . && docker run -p 9116:9116 -e PUSHGATEWAY_URL=http://pushgateway:9091 pushgateway-exporter

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY functions ./functions
COPY lib ./lib
RUN node scripts/build.mjs

# The bundle needs no node_modules: only the server build and the default config.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=9116
WORKDIR /app
COPY --from=build /app/dist/server ./dist/server
COPY config.yml ./
USER node
EXPOSE 9116
HEALTHCHECK --interval=10s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:9116/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server/server.mjs"]
