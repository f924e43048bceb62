# The team gateway as a container: Node slim, production dependencies only, not root.
# Build from the repository root: docker build -t geobatch-gateway .
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npx webpack --mode production --config-name gateway

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist-gateway ./dist-gateway
USER node
ENV GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8787
EXPOSE 8787
CMD ["node", "dist-gateway/gateway.js"]
