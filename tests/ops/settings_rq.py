"""Kvitt's settings with the RQ/Redis task backend, as the worker processes of the RQ test use them.

Stands in for what kvitt/settings.py does when KVITT_TASK_BACKEND names the RQ backend (see
kvitt.ops.taskbackend): django_rq installed (its `rqworker` command) and the queues on Redis.
"""

from kvitt.settings import *  # noqa: F401,F403
from kvitt.settings import INSTALLED_APPS, KVITT_REDIS_URL, TASKS
from kvitt.ops.taskbackend import rq_settings

_extra = rq_settings(TASKS["default"]["BACKEND"], KVITT_REDIS_URL)
INSTALLED_APPS = INSTALLED_APPS + _extra["INSTALLED_APPS"]
TASKS["default"].update(_extra["TASKS_DEFAULT"])
RQ_QUEUES = _extra["RQ_QUEUES"]
