"""Celery tasks of applications: referee reminders and the merged PDF dossier."""

from celery import shared_task

from icm_recruit.extensions import db


@shared_task(name="icm_recruit.applications.tasks.remind_referees")
def remind_referees() -> int:
    """Remind referees who have not answered; safe to run twice (spacing is checked)."""
    from icm_recruit.applications.referees import send_referee_reminders

    count = send_referee_reminders()
    db.session.commit()
    return count


@shared_task(name="icm_recruit.applications.tasks.build_dossier")
def build_dossier(application_id: int) -> str | None:
    """Merge the cover page and the documents into one PDF for reviewers."""
    from icm_recruit.applications.dossier import build_and_store_dossier

    key = build_and_store_dossier(application_id)
    db.session.commit()
    return key


@shared_task(name="icm_recruit.applications.tasks.record_missed_stage_parts")
def record_missed_stage_parts() -> int:
    """Record as missed the parts of later stages whose deadline passed unsent."""
    from icm_recruit.applications.stage_part import record_missed_parts

    count = record_missed_parts()
    db.session.commit()
    return count
