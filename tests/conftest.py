"""Shared fixtures: a real database on each backend, the example series, strict mode.

PostgreSQL tests use the server named by DR_TEST_POSTGRES_URL, each test in a schema of
its own. Without that server they skip, except under DR_STRICT=1 (CI), where they fail:
nothing may pass by being skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from desert_runners.bootstrap import Context, bootstrap

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "4deserts-2010"
SHARED_DATA = ROOT.parent / "shared" / "data"
STRICT = os.environ.get("DR_STRICT") == "1"
BACKENDS = ("sqlite", "postgresql")

# Speed is measured in bench/, never asserted in a test: no Hypothesis deadline, which
# fails a property on a loaded machine for being slow, not for being wrong.
settings.register_profile("desert-runners", deadline=None)
settings.load_profile("desert-runners")


def missing_service(reason: str) -> None:
    """Skip a test whose service is missing, or fail it in strict mode."""
    if STRICT:
        pytest.fail(f"DR_STRICT=1 and {reason}")
    pytest.skip(reason)


def real_data(path: Path) -> Path:
    """A file of the real race data beside the checkout (not in the repository): its
    absence skips the test, or fails it in strict mode."""
    if not path.exists():
        missing_service(f"the real data file {path} is missing")
    return path


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = os.environ.get("DR_TEST_POSTGRES_URL")
    if not url:
        missing_service("DR_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against")
    assert url is not None
    return url


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A URL whose every connection works in a fresh schema, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_psycopg(postgres_admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        missing_service(f"PostgreSQL at DR_TEST_POSTGRES_URL is not reachable: {error}")
    url = make_url(_psycopg(postgres_admin_url)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desert-runners.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def context(database_url: str) -> Iterator[Context]:
    built = bootstrap(database_url, author="test-director")
    try:
        yield built
    finally:
        built.store.close()


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
