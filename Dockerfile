# The API image (the indexer and the workers run from the same image: `python -m indexer`,
# `python -m workers.webhooks`, `python -m workers.duplicates`).
# Meilisearch runs from the official image getmeili/meilisearch:v1.21; see compose.yaml.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
# .dockerignore keeps app/demo (the demo catalogue) out of the build context and the image.
COPY app ./app
COPY indexer ./indexer
COPY workers ./workers
COPY alembic ./alembic
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 bildungsraum
COPY --from=build /install /usr/local
WORKDIR /srv
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app
COPY indexer ./indexer
COPY workers ./workers
# WEB_CONCURRENCY: uvicorn's worker count, read by the settings too (the demand threshold
# scales with it, docs/monitoring.md).
ENV BILDUNGSRAUM_ENV=production PYTHONUNBUFFERED=1 PORT=8000 WEB_CONCURRENCY=2
USER bildungsraum
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/health')"
# Migrations first: several replicas may start at once, Alembic's version table serialises them.
# `bildungsraum serve`: uvicorn with header and body deadlines and no server banner; set
# FORWARDED_ALLOW_IPS to the reverse proxy's address (README, "Security and operations").
CMD ["sh", "-c", "bildungsraum migrate && exec bildungsraum serve --host 0.0.0.0 --port ${PORT} --workers ${WEB_CONCURRENCY}"]
