# The shegong API server.
#   docker build -t shegong .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/shegong shegong
# In production also set SHEGONG_ENV=production and SHEGONG_JWT_SECRET (see .env.example).

# ---- build ----
FROM rust:1-bookworm AS builder
WORKDIR /app

# Dependencies first, against placeholder sources, so that this layer is reused until
# Cargo.toml or Cargo.lock changes. (`cargo build` does not compile the tests/ target.)
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

# The real sources and everything compiled into the binary: migrations (embed_migrations!),
# the demo hierarchy in seeds/ and src/auth/common-passwords.txt (include_str!).
# (`build.rs*` also copies a build script once the crate has one; Cargo.toml always matches.)
COPY Cargo.toml build.rs* ./
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
COPY openapi ./openapi
# Newer than the placeholder build, so cargo rebuilds the crate itself.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && install -m 0755 target/release/shegong /usr/local/bin/shegong

# ---- run ----
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 shegong \
    && useradd --system --uid 10001 --gid shegong --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin shegong

# A health probe without curl: one HTTP/1.0 request over bash's /dev/tcp to the port of
# SHEGONG_BIND. `shegong-healthcheck /readyz` checks the database too.
RUN printf '%s\n' \
        '#!/bin/bash' \
        '# shegong-healthcheck [PATH]: exit 0 when the local server answers PATH (default /livez) with 200.' \
        'set -eu' \
        'bind="${SHEGONG_BIND:-0.0.0.0:8080}"' \
        'exec 3<>"/dev/tcp/127.0.0.1/${bind##*:}"' \
        'printf "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n" "${1:-/livez}" >&3' \
        'read -r -t 5 _ status _ <&3' \
        '[ "$status" = 200 ]' \
        > /usr/local/bin/shegong-healthcheck \
    && chmod 0755 /usr/local/bin/shegong-healthcheck

COPY --from=builder /usr/local/bin/shegong /usr/local/bin/shegong

USER 10001:10001
ENV SHEGONG_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["shegong-healthcheck", "/livez"]
ENTRYPOINT ["shegong"]
CMD ["serve"]
