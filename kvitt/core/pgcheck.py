"""`python -m kvitt.core.pgcheck URL`: exit 0 when that PostgreSQL server answers."""

import sys

import psycopg


def reachable(url: str) -> bool:
    # Connect to the maintenance database: the test database itself is made by the test run.
    base = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(base, connect_timeout=5):
            return True
    except psycopg.Error as exc:
        print(f"PostgreSQL check failed: {exc}", file=sys.stderr)
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
