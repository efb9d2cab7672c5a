# The central server (till-server) as a container image. Build from the repository root:
#   docker build -t loyalty-till-server .
# Run with deploy/compose.yaml (PostgreSQL beside it) or point LT_SERVER_DATABASE_URL at yours.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    LT_SERVER_HOST=0.0.0.0 LT_SERVER_PORT=8600 \
    PROMETHEUS_MULTIPROC_DIR=/run/till-server/metrics

# The project installs as one package (till and server share app/, sync/); the server needs
# none of the till's system libraries (zbar, Qt's X libraries) to run.
WORKDIR /opt/loyalty-till
COPY pyproject.toml README.md ./
COPY app ./app
COPY sync ./sync
COPY server ./server
COPY hardware ./hardware
COPY ui ./ui
COPY till ./till
COPY migrations ./migrations
COPY resources ./resources
RUN pip install . \
 && useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin till-server \
 && mkdir -p /run/till-server/metrics && chown -R till-server /run/till-server

USER till-server
EXPOSE 8600
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8600/readyz', timeout=4).status != 200)"
# Migrations first (idempotent), then serve; LT_SERVER_WORKERS sets the processes.
CMD ["sh", "-c", "till-server db upgrade && exec till-server serve"]
