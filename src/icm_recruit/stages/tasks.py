"""Celery tasks of the stages; arguments are ids, each safe to run twice or to resume."""

from celery import shared_task

from icm_recruit.core.jobs import run_tracked, send_each


def _tell_outcomes(job, call, by, progress) -> dict:
    from icm_recruit.stages.operations import tell, untold

    return send_each([e.id for e in untold(call, by)], tell, by=by, progress=progress)


@shared_task(name="icm_recruit.stages.tasks.send_stage_outcomes")
def send_stage_outcomes(job_id: int) -> str:
    """Tell every marked applicant of the call's current stage its outcome, each once."""
    return run_tracked(job_id, _tell_outcomes, resume_failed=True, reraise=True)
