"""Celery tasks of selection: ranking, shortlist outcomes, decision letters, reminders.

Arguments are ids; each task is safe to run twice or to resume after a crash.
"""

from celery import shared_task

from icm_recruit.core.jobs import run_tracked, send_each
from icm_recruit.extensions import db


def _send_letters(job, call, by, progress) -> dict:
    from icm_recruit.selection import operations as ops
    from icm_recruit.selection.queries import unsent_decision_ids

    return send_each(unsent_decision_ids(call.id, by), ops.send_decision_letter, by=by,
                     progress=progress)


@shared_task(name="icm_recruit.selection.tasks.send_decision_letters")
def send_decision_letters(job_id: int) -> str:
    """Send every unsent decision letter of the job's call, each exactly once."""
    # Resumable: a restarted batch sends only the letters not sent yet.
    return run_tracked(job_id, _send_letters, resume_failed=True, reraise=True)


def _tell_outcomes(job, call, by, progress) -> dict:
    from icm_recruit.selection.shortlist import tell_outcome, untold_marks

    return send_each([m.id for m in untold_marks(call.id, by)], tell_outcome, by=by,
                     progress=progress)


@shared_task(name="icm_recruit.selection.tasks.send_shortlist_outcomes")
def send_shortlist_outcomes(job_id: int) -> str:
    """Tell every marked applicant of the job's call their shortlist outcome, each once."""
    return run_tracked(job_id, _tell_outcomes, resume_failed=True, reraise=True)


def _rank(job, call, by, progress) -> dict:
    from icm_recruit.selection.ranking import build_snapshot

    snapshot = build_snapshot(call, by=by, job_id=job.id, progress=progress)
    db.session.commit()
    return {"snapshot_id": snapshot.id, "applications": len(snapshot.rows),
            "reviews": snapshot.review_count}


@shared_task(name="icm_recruit.selection.tasks.compute_ranking")
def compute_ranking(job_id: int) -> str:
    """Compute and store a ranking snapshot of the call from its submitted reviews."""
    return run_tracked(job_id, _rank, resume_failed=True, reraise=True)


@shared_task(name="icm_recruit.selection.tasks.remind_interviews")
def remind_interviews() -> int:
    """Remind applicants and panels of tomorrow's interviews; once per interview time."""
    from icm_recruit.selection.interviews import send_reminders

    count = send_reminders()
    db.session.commit()
    return count
