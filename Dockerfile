# Rasmi: slim Python, installed as a package, run as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/rasmi.db

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin rasmi \
    && mkdir /data \
    && chown rasmi:rasmi /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY db ./db
RUN pip install --no-cache-dir /app

USER 10001
VOLUME ["/data"]
# The webhook server (WEBHOOK_PORT's default); long polling needs no port.
EXPOSE 8443
ENTRYPOINT ["rasmi"]
CMD ["start"]
