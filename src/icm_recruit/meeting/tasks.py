"""Celery tasks of the meeting: sending the evaluation reports, each exactly once.

Arguments are ids; the task is safe to run twice or to resume after a crash.
"""

from celery import shared_task

from icm_recruit.core.jobs import run_tracked, send_each


def _send_reports(job, call, by, progress) -> dict:
    from icm_recruit.meeting.reports import send_report, unsent_reports

    return send_each([r.id for r in unsent_reports(call.id, by)], send_report, by=by,
                     progress=progress)


@shared_task(name="icm_recruit.meeting.tasks.send_evaluation_reports")
def send_evaluation_reports(job_id: int) -> str:
    """Send every saved, unsent evaluation report of the job's call, each once."""
    return run_tracked(job_id, _send_reports, resume_failed=True, reraise=True)
