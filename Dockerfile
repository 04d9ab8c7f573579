# The bot's runtime image: no torch (the shipped model runs on onnxruntime + tokenizers).
# One image for every role: `moderation-bot run --role all|gateway|worker|web`
# (docker-compose.yml for the scale-out, docker-compose.single.yml for one process).
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY moderation_bot ./moderation_bot
COPY classifiers ./classifiers
COPY policies ./policies
COPY adapters ./adapters
RUN pip install . && useradd --create-home --uid 10001 modbot && mkdir /data && chown modbot /data

USER modbot
ENV MODBOT_DATABASE_URL=sqlite:////data/modbot.sqlite3 \
    MODBOT_HOST=0.0.0.0 \
    MODBOT_PORT=8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["moderation-bot", "run"]
