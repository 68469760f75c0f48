"""Celery bound to the Flask application: every task runs inside an app context."""

import os

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "icm_recruit.core.tasks.sweep_outbox",
                     "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))},
    "calls-close-due": {"task": "icm_recruit.calls.tasks.close_due_calls", "schedule": 60.0},
    "stage-parts-missed": {"task": "icm_recruit.applications.tasks.record_missed_stage_parts",
                           "schedule": 60.0},
    "retention-purge": {"task": "icm_recruit.governance.tasks.purge_expired",
                        "schedule": crontab(hour=3, minute=30)},
    "referee-reminders": {"task": "icm_recruit.applications.tasks.remind_referees",
                          "schedule": crontab(hour=9, minute=0)},
    "assignment-embed-ahead": {"task": "icm_recruit.assignment.tasks.embed_ahead",
                               "schedule": 600.0},
    "assignment-daily-digests": {"task": "icm_recruit.assignment.tasks.send_daily_digests",
                                 "schedule": crontab(hour=7, minute=0)},
    "review-reminders": {"task": "icm_recruit.reviews.tasks.send_review_reminders",
                         "schedule": crontab(minute=5)},
    "discussion-digests": {"task": "icm_recruit.reviews.tasks.send_discussion_digests",
                           "schedule": crontab(minute=20)},
    "interview-reminders": {"task": "icm_recruit.selection.tasks.remind_interviews",
                            "schedule": crontab(minute=40)},
}


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app from app.config["CELERY"] and store it in app.extensions."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # A fresh app context gives the task its own database session, also when
            # it runs eagerly from inside a request or an after-commit hook.
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    settings = {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        # A broker outage must not hold a web request: the outbox sweep covers it.
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0,
                                      "interval_step": 0.2, "interval_max": 0.5},
        "broker_transport_options": {"visibility_timeout": 3600},
        "timezone": "Europe/Paris",
        "enable_utc": True,
        "beat_schedule": dict(BEAT_SCHEDULE),
        "include": ["icm_recruit.core.tasks", "icm_recruit.auth.tasks",
                    "icm_recruit.calls.tasks", "icm_recruit.applications.tasks",
                    "icm_recruit.board.tasks",
                    "icm_recruit.assignment.tasks", "icm_recruit.governance.tasks",
                    "icm_recruit.reviews.tasks",
                    "icm_recruit.selection.tasks", "icm_recruit.stages.tasks"],
    }
    settings.update(app.config.get("CELERY", {}))
    celery.config_from_object(settings)
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


__all__ = ["celery_init_app", "crontab"]
