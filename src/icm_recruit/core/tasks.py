"""Celery tasks of the core: mail delivery and the outbox sweep."""

from celery import shared_task

from icm_recruit.core import outbox


@shared_task(bind=True, name="icm_recruit.core.tasks.deliver_outbox_message")
def deliver_outbox_message(self, message_id: int) -> str:
    """Deliver one outbox row; on a temporary failure try again later with backoff."""
    outcome = outbox.deliver(message_id)
    if outcome == "retry" and not self.request.is_eager:
        message = outbox.db.session.get(outbox.OutboxMessage, message_id)
        countdown = outbox.backoff(message.attempts).total_seconds() if message else 60
        self.apply_async(args=[message_id], countdown=countdown)
    return outcome


@shared_task(name="icm_recruit.core.tasks.deliver_outbox_batch")
def deliver_outbox_batch(message_ids: list[int]) -> dict:
    """Deliver several outbox rows, each locked and marked on its own."""
    counts: dict[str, int] = {}
    for message_id in message_ids:
        outcome = outbox.deliver(message_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@shared_task(name="icm_recruit.core.tasks.sweep_outbox")
def sweep_outbox() -> dict:
    """Deliver anything still pending: covers messages whose queue entry was lost."""
    return outbox.deliver_due()
