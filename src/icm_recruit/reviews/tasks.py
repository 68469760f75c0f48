"""Celery tasks of reviewing: reminders and the discussion digest, both safe to rerun."""

from celery import shared_task

from icm_recruit.extensions import db


@shared_task(name="icm_recruit.reviews.tasks.send_review_reminders")
def send_review_reminders() -> dict:
    """Send the reminder steps due now; each step goes once per assignment."""
    from icm_recruit.reviews.reminders import send_review_reminders as send

    counts = send()
    db.session.commit()
    return counts


@shared_task(name="icm_recruit.reviews.tasks.send_discussion_digests")
def send_discussion_digests() -> int:
    """Mail yesterday's discussion posts, one mail per participant and day."""
    from icm_recruit.reviews.reminders import send_discussion_digests as send

    count = send()
    db.session.commit()
    return count
