FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY templates ./templates
COPY migrations ./migrations
RUN pip install --upgrade pip && pip install . \
    && useradd --create-home --uid 10001 icm \
    && mkdir -p /app/instance && chown icm /app/instance

USER icm
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "icm_recruit.wsgi:app"]
