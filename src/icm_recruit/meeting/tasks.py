"""Celery tasks of the meeting: sending the evaluation reports, each exactly once.

Arguments are ids; the task is safe to run twice or to resume after a crash.
"""

from celery import shared_task

from icm_recruit.core.jobs import run_tracked
from icm_recruit.extensions import db


def _send_reports(job, call, by, progress) -> dict:
    from icm_recruit.meeting.reports import send_report, unsent_reports

    ids = [r.id for r in unsent_reports(call.id, by)]
    sent = 0
    for index, report_id in enumerate(ids, start=1):
        if send_report(report_id, by=by):
            sent += 1
        db.session.commit()  # one report per transaction: a crash loses no sent mark
        progress(100 * index / len(ids))
    return {"sent": sent, "considered": len(ids)}


@shared_task(name="icm_recruit.meeting.tasks.send_evaluation_reports")
def send_evaluation_reports(job_id: int) -> str:
    """Send every saved, unsent evaluation report of the job's call, each once."""
    return run_tracked(job_id, _send_reports, resume_failed=True, reraise=True)
