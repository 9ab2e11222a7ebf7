"""The dependency direction: tactful -> web -> scheduler -> rules. The composition
root (``tactful``) may import every layer and no layer imports it; a layer never
reaches a layer above it, neither by an import statement nor by name (a string such
as ``"web:create_app"`` handed to a loader, ``importlib.import_module("web.api")``,
``__import__``). Only the root imports the command line's module. rules imports
nothing of ours and no I/O library."""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Lowest first: each layer may import only the layers before it.
LAYERS = ["rules", "scheduler", "web", "tactful"]
ROOT = "tactful"
# Code outside the layers that must not depend on the root either (tests may).
OTHER_CODE = ["bench", "training"]
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
# Calls that import the module named by their first argument.
IMPORTING_CALLS = {"import_module", "__import__", "find_spec", "import_string", "run_module"}
# A dotted or colon-separated module reference inside any text: "web:create_app",
# "web.api", "tactful.wsgi:create_app()".
REFERENCE = re.compile(r"(?<![\w./-])([A-Za-z_]\w*)((?:[.:][A-Za-z_]\w*)+)")


def sources(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def relative(path: Path) -> str:
    return str(path.relative_to(REPO))


def imports_in(tree: ast.AST) -> set[str]:
    """The full module names imported by statements."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def imports_of(package: str) -> dict[str, set[str]]:
    """Per file, the top-level packages its import statements name."""
    return {
        relative(path): {
            name.split(".")[0] for name in imports_in(ast.parse(path.read_text("utf-8")))
        }
        for path in sources(package)
    }


@cache
def top_level_names(module_file: Path) -> frozenset[str]:
    """What a module defines or imports at its top level."""
    names: set[str] = set()
    for node in ast.parse(module_file.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return frozenset(names)


def module_file(parts: list[str]) -> Path | None:
    base = REPO.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def resolves(package: str, rest: str) -> bool:
    """Whether ``package`` followed by ``rest`` (".api", ":create_app", ".a.b:c")
    names one of our modules, or something a module of ours defines."""
    module, _, attribute = rest.partition(":")
    parts = [package, *filter(None, module.split("."))]
    found = module_file(parts)
    if found is None:
        # "web.create_app": the last dotted part may be an attribute, not a module.
        parent = module_file(parts[:-1])
        return parent is not None and not attribute and parts[-1] in top_level_names(parent)
    return not attribute or attribute.split(".")[0] in top_level_names(found)


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants: prose, never handed to a loader."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def references_by_name(source: str, higher: set[str]) -> set[str]:
    """The references to modules of the ``higher`` packages that a module's code
    makes by name: any string (not a docstring) that spells one of their modules or
    what it defines, and the module named to an importing call, even bare
    (``import_module("web")``)."""
    tree = ast.parse(source)
    prose = docstrings(tree)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in prose:
                continue
            for match in REFERENCE.finditer(node.value):
                package, rest = match.groups()
                if package in higher and resolves(package, rest):
                    found.add(match.group(0))
        elif isinstance(node, ast.Call) and called_name(node) in IMPORTING_CALLS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if first.value.split(".")[0].split(":")[0] in higher:
                    found.add(first.value)
            elif isinstance(first, ast.JoinedStr):
                head = first.values[0] if first.values else None
                if isinstance(head, ast.Constant) and str(head.value).split(".")[0] in higher:
                    found.add(ast.unparse(first))
    return found


@pytest.mark.parametrize("layer", LAYERS[:-1])
def test_no_layer_imports_a_layer_above_it(layer):
    higher = set(LAYERS[LAYERS.index(layer) + 1 :])
    offenders = {f: names & higher for f, names in imports_of(layer).items() if names & higher}
    assert not offenders


@pytest.mark.parametrize("layer", LAYERS[:-1])
def test_no_layer_names_a_layer_above_it(layer):
    """A by-name load ("web:create_app", import_module) is a dependency all the same."""
    higher = set(LAYERS[LAYERS.index(layer) + 1 :])
    offenders = {}
    for path in sources(layer):
        found = references_by_name(path.read_text("utf-8"), higher)
        if found:
            offenders[relative(path)] = found
    assert not offenders


# What gunicorn is given in production (docs/operations.md).
DEPLOYMENT_ENTRY = {"tactful.wsgi:create_app"}


@pytest.mark.parametrize("package", OTHER_CODE)
def test_nothing_but_the_tests_imports_the_composition_root(package):
    """The benchmarks may start the app as an operator does, through the root's WSGI
    entry point handed to gunicorn; nothing else of the root is named or imported."""
    offenders = {f for f, names in imports_of(package).items() if ROOT in names}
    offenders |= {
        relative(p)
        for p in sources(package)
        if references_by_name(p.read_text("utf-8"), {ROOT}) - DEPLOYMENT_ENTRY
    }
    assert not offenders


def test_only_the_composition_root_imports_the_command_line():
    """``scheduler.cli`` is an entry point, not a library: the web app importing it
    (to build its own application objects) would close a circle through the root.
    The command line's own modules (``scheduler/cli_*.py``) are part of it."""
    offenders = {
        relative(path)
        for layer in LAYERS[:-1]
        for path in sources(layer)
        if not (relative(path) == "scheduler/cli.py" or relative(path).startswith("scheduler/cli_"))
        and {"scheduler.cli"} & imports_in(ast.parse(path.read_text("utf-8")))
    }
    assert not offenders


def test_the_composition_root_builds_the_web_app():
    """The root hands its application objects to ``web.create_app``: the command and
    the WSGI entry point both import it, and the console script points into the root."""
    for name in ("cli.py", "wsgi.py"):
        assert "web.create_app" in imports_in(ast.parse((REPO / ROOT / name).read_text("utf-8")))
    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    assert re.search(r'^tactful = "tactful\.cli:main"$', pyproject, re.MULTILINE)


def test_rules_imports_nothing_of_ours_and_no_io_library():
    for path, names in imports_of("rules").items():
        assert not names & {"scheduler", "web", ROOT}, path
        assert not names & IO_LIBRARIES, (path, names & IO_LIBRARIES)


def test_only_the_config_module_reads_the_environment():
    for package in LAYERS:
        for path in sources(package):
            if path.name == "config.py" and path.parent.name == "scheduler":
                continue
            source = path.read_text("utf-8")
            assert "os.environ" not in source and "getenv" not in source, path


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('FACTORY = "web:create_app"', {"web:create_app"}),
        ("x = \"gunicorn 'web:create_app()'\"", {"web:create_app"}),
        ('importlib.import_module("web.api")', {"web.api"}),
        ('importlib.import_module("web")', {"web"}),
        ('__import__("tactful")', {"tactful"}),
        ('import_module(f"web.{name}")', {"f'web.{name}'"}),
        ('ENTRY = "tactful.wsgi:create_app"', {"tactful.wsgi:create_app"}),
        ('x = "web.api_schemas.openapi"', {"web.api_schemas.openapi"}),
        # Prose and names that are not modules of ours are not references.
        ('"""Loaded as ``web:create_app``."""', set()),
        ('key = "web.secure_cookies"', set()),
        ('msg = "tactful is running at http://127.0.0.1:5000/"', set()),
        ('x = "the web app"', set()),
    ],
)
def test_references_by_name_are_found(source, expected):
    assert references_by_name(source, {"web", "tactful"}) == expected
