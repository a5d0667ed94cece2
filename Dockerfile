# The matching service: slim Python, a non-root user, port 8000.
# PostgreSQL comes in through MATCHER_DATABASE_URL, e.g.
#   docker run -e MATCHER_DATABASE_URL=postgresql+psycopg://matcher@db/matcher -p 8000:8000 matcher
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY api ./api
RUN pip install --no-cache-dir --upgrade pip && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MATCHER_HOST=0.0.0.0 MATCHER_PORT=8000
RUN useradd --create-home --uid 10001 matcher
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER matcher
WORKDIR /home/matcher
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["matcher", "serve", "--host", "0.0.0.0", "--port", "8000"]
