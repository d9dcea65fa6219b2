# syntax=docker/dockerfile:1

# Invite Hygiene: `docker build -t invite-hygiene .` then see docs/install.md for `docker run`.

# --- builder: install the app and its dependencies into a self-contained venv ------------------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /src
# Only what the package build needs (see pyproject.toml; migrations/ ships as bot.migrations).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY migrations ./migrations
# The same install the CI does.
RUN pip install .

# --- runtime --------------------------------------------------------------------------------
FROM python:3.11-slim

# Same base image and same path as the builder, so the venv's interpreter links stay valid.
COPY --from=builder /opt/venv /opt/venv

RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --no-create-home --home-dir /data --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/invite_hygiene.db

# SQLite lives here by default: mount a volume on /data (docs/install.md) to keep it.
WORKDIR /data

EXPOSE 3000

# No curl in slim images: ask /healthz with the standard library (200 when the database answers,
# 503 otherwise, which urlopen raises as an error -> unhealthy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

USER app

ENTRYPOINT ["invite-hygiene"]
CMD ["serve"]
