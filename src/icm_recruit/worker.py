"""Entry point for Celery: celery -A icm_recruit.worker worker|beat."""

from icm_recruit import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
