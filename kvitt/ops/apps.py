from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: worker liveness, the reaper, metrics. Has no models."""

    name = "kvitt.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        from kvitt.ops import liveness

        # Every worker process announces itself through its liveness lock when it starts a task.
        liveness.connect()
