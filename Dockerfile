# jobmatch service image. Same lock file as `make setup`; the command is `jobmatch serve`.
# Build: docker build -t jobmatch .   Run: docker run -p 8000:8000 -e JOBMATCH_DATABASE_URL=... \
#   -e JOBMATCH_SECRET_KEY=... jobmatch   (run `jobmatch migrate` once per release: docker run ... jobmatch migrate)

FROM node:20-bookworm-slim AS web
# The dashboard's map outline comes from npm through the lock file, as `make web` builds it.
WORKDIR /srv/jobmatch/web
COPY web/package.json web/package-lock.json web/build-outline.mjs ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && npm run --silent build

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock
WORKDIR /srv/jobmatch
COPY pyproject.toml alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# Editable, so the code stays at /srv/jobmatch beside migrations/ and alembic.ini, which `jobmatch migrate` reads.
RUN /opt/venv/bin/pip install --no-deps -e .

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    JOBMATCH_HOST=0.0.0.0 JOBMATCH_PORT=8000 JOBMATCH_VAR_DIR=/srv/jobmatch/var
RUN groupadd --system jobmatch && useradd --system --gid jobmatch --home-dir /srv/jobmatch jobmatch
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=jobmatch:jobmatch /srv/jobmatch /srv/jobmatch
COPY --from=web --chown=jobmatch:jobmatch /srv/jobmatch/app/web/static/vendor /srv/jobmatch/app/web/static/vendor
WORKDIR /srv/jobmatch
RUN mkdir -p var && chown jobmatch:jobmatch var
USER jobmatch
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["jobmatch", "serve"]
