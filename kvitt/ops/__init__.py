"""Operations: worker liveness and the reaper of abandoned tasks, Prometheus metrics."""
