from kvitt.ops import taskbackend


def test_the_database_backend_needs_no_extra_settings_and_runs_db_worker():
    assert taskbackend.rq_settings(taskbackend.DB_BACKEND, "redis://x/0") == {"INSTALLED_APPS": [], "TASKS_DEFAULT": {}, "RQ_QUEUES": {}}
    assert taskbackend.worker_command(taskbackend.DB_BACKEND, interval=0.5, worker_id="w1")[:1] == ["db_worker"]
    assert "--worker-id" in taskbackend.worker_command(taskbackend.DB_BACKEND, worker_id="w1")


def test_the_rq_backend_installs_django_rq_with_its_queues_on_the_configured_redis():
    extra = taskbackend.rq_settings(taskbackend.RQ_BACKEND, "redis://redis.internal:6379/2")
    assert extra["INSTALLED_APPS"] == ["django_rq"]
    assert extra["RQ_QUEUES"]["default"]["URL"] == "redis://redis.internal:6379/2"
    assert extra["TASKS_DEFAULT"] == {"QUEUES": ["default"]}
    assert taskbackend.worker_command(taskbackend.RQ_BACKEND, worker_id="w1", batch=True) == [
        "rqworker", "--job-class", "django_tasks_rq.Job", "--name", "w1", "--burst", "default"]
