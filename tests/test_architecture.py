"""The dependency direction: web -> scheduler -> rules; nothing imports web; rules
imports nothing of ours and no I/O library."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IO_LIBRARIES = {
    "sqlalchemy",
    "flask",
    "httpx",
    "requests",
    "feedparser",
    "apscheduler",
    "psycopg",
    "socket",
    "urllib",
    "http",
    "os",
    "subprocess",
    "alembic",
    "marshmallow",
}


def imports_of(package: str) -> dict[str, set[str]]:
    out = {}
    for path in (REPO / package).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        out[str(path.relative_to(REPO))] = names
    return out


@pytest.mark.parametrize("package", ["rules", "scheduler"])
def test_nothing_below_web_imports_web(package):
    offenders = {f for f, names in imports_of(package).items() if "web" in names}
    assert not offenders


def test_rules_imports_nothing_of_ours_and_no_io_library():
    for path, names in imports_of("rules").items():
        assert not names & {"scheduler", "web"}, path
        assert not names & IO_LIBRARIES, (path, names & IO_LIBRARIES)


def test_only_the_config_module_reads_the_environment():
    for package in ("rules", "scheduler", "web"):
        for path in (REPO / package).rglob("*.py"):
            if path.name == "config.py" and path.parent.name == "scheduler":
                continue
            source = path.read_text("utf-8")
            assert "os.environ" not in source and "getenv" not in source, path
