"""A throwaway PostgreSQL server from Debian's packages, for testing the store for real."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator, List, Optional


def _bin(name: str) -> Optional[str]:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(command: List[str]) -> List[str]:
    # initdb refuses to run as root; run the server as Debian's postgres user when we are root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server(port: int = 15432) -> Iterator[str]:
    """Yields a SQLAlchemy URL for a fresh database; the cluster is deleted afterwards."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package.")
    directory = tempfile.mkdtemp(prefix="lifeportal-pg-")
    os.chmod(directory, 0o777)
    data = os.path.join(directory, "data")
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    subprocess.run(_as_postgres([initdb, "-D", data, "-U", "lifeportal", "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres([pg_ctl, "-D", data, "-w", "-l", os.path.join(directory, "log"), "-o",
                                 f"-p {port} -k {directory} -c listen_addresses=127.0.0.1", "start"]),
                   check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 30
        while subprocess.run([_bin("pg_isready") or "pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise TimeoutError("PostgreSQL did not start")
            time.sleep(0.3)
        yield f"postgresql+psycopg2://lifeportal@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", data, "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)
