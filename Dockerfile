# One image for every jisik service; each container runs `jisik serve <service>`.
#   docker build -t jisik .
#   docker run --rm jisik serve docreader
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JISIK_DATA_DIR=/data \
    JISIK_BIND_HOST=0.0.0.0 \
    JISIK_GATEWAY_WEB_DIST=/app/web/dist
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-kor tesseract-ocr-chi-sim tesseract-ocr-eng \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY jisik/ jisik/
COPY gateway/ gateway/
COPY docreader/ docreader/
COPY retriever/ retriever/
COPY chat/ chat/
COPY ingest/ ingest/
COPY cdc/ cdc/
COPY ml/ ml/
COPY fields/ fields/
RUN pip install -c constraints.txt '.[ocr,train]'
COPY --from=web /web/dist web/dist
RUN useradd --system --uid 10001 --home-dir /data --create-home jisik
USER jisik
VOLUME ["/data"]
EXPOSE 8080 17051 17052 17053
ENTRYPOINT ["jisik"]
CMD ["serve", "gateway"]
