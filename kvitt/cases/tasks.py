"""Worker tasks of the cases app: e-mail notices.

A notice is queued inside the transaction that caused it. With the database task backend the
queued row commits with that transaction, so it is the outbox: no notice for a rolled-back
change, no lost notice when a process dies after the commit.
"""

from __future__ import annotations

from django_tasks import task

NOTICES = {"assignment_opened"}


@task(queue_name="default")
def send_notice(kind: str, object_id: int) -> None:
    from kvitt.cases import notices

    if kind not in NOTICES:
        raise ValueError(f"unknown notice {kind!r}")
    getattr(notices, kind)(object_id)


def notify(kind: str, object_id: int) -> None:
    send_notice.enqueue(kind, object_id)
