"""Celery tasks of the board: conflict detection over a call."""

from celery import shared_task

from icm_recruit.board.operations import detect_call_conflicts
from icm_recruit.core.jobs import run_tracked


def _detect(job, call, by, progress) -> dict:
    return detect_call_conflicts(call, by=by, progress=progress)


@shared_task(name="icm_recruit.board.tasks.detect_conflicts")
def detect_conflicts(job_id: int) -> str:
    """Detect a call's conflicts of interest; safe to run twice (rows are upserted)."""
    return run_tracked(job_id, _detect)
