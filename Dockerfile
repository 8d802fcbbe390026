# The production image: web (gunicorn), Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=0

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting fast (a Chinese PDF takes 20x longer without
# it), fonts-noto-cjk gives every CJK glyph an embedded font, fonts-noto-color-emoji the emoji and fonts-hanazono
# the rare ideographs Noto CJK lacks (most of CJK extension B and later; publishing/render/glyphs.py refuses
# the rest).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-noto-cjk \
      fonts-noto-color-emoji fonts-hanazono fontconfig \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 app

WORKDIR /app
COPY pyproject.toml README.md ./
COPY xinzhi ./xinzhi
COPY editorial ./editorial
COPY references ./references
COPY publishing ./publishing
RUN pip install --no-cache-dir '.[s3]'
COPY . .

# collectstatic needs settings but no real secret or database.
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdef0123456789 ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "xinzhi.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
