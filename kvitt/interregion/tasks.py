"""Background work: the outbox of invoice bases (run by ``kvitt worker``)."""

from django_tasks import task

from kvitt.interregion import services


@task()
def deliver_outbox() -> int:
    """Deliver every pending basis, one thread per receiving region; returns how many were handled."""
    return services.deliver_pending()
