"""The code's shape as the documents tell it, and as the package's own imports keep it.

- docs/architecture.md's table of modules names every module and folder of ckanext/lngov
  (each folder's modules in the folder's row), and nothing that is not there;
- the README's Layout names every module and folder at the package's top;
- the package's own modules are imported at module top (a function-level import says why in
  a comment), and no module imports, through any chain, one that imports it back (the demo's
  generators aside, which are data-like rules that ask each other).

Read from the files alone, as datasette's documentation tests read its docs.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ckanext" / "lngov"
NAME = "ckanext.lngov"
# Folders of the package whose modules are one concept told as a whole in their row.
TOLD_AS_A_WHOLE = ("demo/generate/", "migration/lngov/")
# Import cycles allowed: the demo's generators (ckanext/lngov/demo/generate/).
CYCLES_ALLOWED_UNDER = NAME + ".demo."


def _top_entries() -> list[str]:
    """The package's modules and folders at its top, as the documents name them
    (`plugin.py`, `catalog/`, `config_declaration.yaml`)."""
    found = []
    for path in sorted(PACKAGE.iterdir()):
        if path.name.startswith((".", "__")) or path.suffix == ".pyc":
            continue
        found.append(path.name + "/" if path.is_dir() else path.name)
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The rows (cells) of the first table under `heading`."""
    section = markdown.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set(cells[0]) <= set("-: "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]   # without the header


def _named(text: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", text))


@pytest.fixture(scope="module")
def modules_table() -> dict[str, str]:
    """docs/architecture.md's modules: each name of a row's first cell, and the row's text."""
    rows = _table_rows((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"),
                       "## Modules")
    return {name: " | ".join(cells) for cells in rows for name in _named(cells[0])}


def test_every_module_and_folder_of_the_package_has_its_row(modules_table):
    missing = [entry for entry in _top_entries() if entry not in modules_table]
    assert not missing, f"docs/architecture.md's table of modules does not name {missing}"


def test_every_module_of_a_folder_is_named_in_the_folders_row(modules_table):
    missing = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        folder, _, rest = relative.partition("/")
        if not rest or path.name == "__init__.py" and "/" not in rest:
            continue   # a top module (its own row), or a folder's __init__ (the folder)
        row = modules_table.get(folder + "/", "")
        whole = next((f for f in TOLD_AS_A_WHOLE if relative.startswith(f)), None)
        if whole:
            told = f"`{whole[len(folder) + 1:]}`" in row
        else:
            told = f"`{rest}`" in row or f"`{relative}`" in row
        if not told:
            missing.append(relative)
    assert not missing, ("docs/architecture.md names these modules nowhere in their folder's "
                         f"row: {missing}")


def test_the_table_of_modules_names_nothing_that_is_not_there(modules_table):
    gone = []
    for name, row in modules_table.items():
        if not (PACKAGE / name).exists():
            gone.append(name)
        folder = name if name.endswith("/") else ""
        for told in _named(row):
            if re.fullmatch(r"[\w/]+\.py", told) and not any(
                    (base / told).exists() for base in (PACKAGE / folder, PACKAGE, ROOT)):
                gone.append(f"{told} (in the row of {name})")
    assert not gone, f"docs/architecture.md names what the package does not have: {gone}"


def test_the_readme_layout_names_every_module_and_folder_of_the_package():
    rows = _table_rows((ROOT / "README.md").read_text(encoding="utf-8"), "## Layout")
    (row,) = [cells for cells in rows if cells[0] == "`ckanext/lngov/`"]
    named = _named(row[1])
    missing = [entry for entry in _top_entries() if entry not in named]
    gone = [name for name in named if re.fullmatch(r"[\w/]+(\.py|/)", name)
            and not (PACKAGE / name).exists()]
    assert not missing, f"the README's Layout does not name {missing}"
    assert not gone, f"the README's Layout names what the package does not have: {gone}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _own_imports(path: Path) -> list[tuple[ast.stmt, list[str], bool]]:
    """The package's own modules an import statement of the module brings in: (statement,
    modules, inside a function)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue   # never runs
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[:len(package.split(".")) - child.level + 1]
                    base = ".".join(up + ([child.module] if child.module else []))
                targets = [f"{base}.{a.name}" for a in child.names] + [base]
            else:
                visit(child, inner)
                continue
            own = [t for t in targets if t == NAME or t.startswith(NAME + ".")]
            if own:
                found.append((child, own, in_function))
    visit(tree, False)
    return found


def test_the_packages_own_modules_are_imported_at_module_top():
    """An import inside a function hides what a module needs and usually dodges a cycle; the
    few that must stay there (a heavy import only one command needs) say why."""
    unexplained = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for statement, _, in_function in _own_imports(path):
            if not in_function:
                continue
            said = lines[statement.lineno - 1] + lines[statement.lineno - 2]
            if "#" not in said:
                unexplained.append(f"{path.relative_to(ROOT)}:{statement.lineno}")
    assert not unexplained, ("imports of the package's own modules inside functions, without a "
                             f"comment saying why: {unexplained}")


def test_no_module_of_the_package_imports_itself_back():
    known = {_module_name(p) for p in _modules()}
    edges: dict[str, set[str]] = {}
    for path in _modules():
        name = _module_name(path)
        for _, targets, in_function in _own_imports(path):
            for target in targets:
                if in_function or target not in known:
                    continue
                # importing a.b.c runs a/__init__ and a/b/__init__ first
                parts = target.split(".")
                for i in range(3, len(parts) + 1):
                    step = ".".join(parts[:i])
                    if step in known and step != name and not name.startswith(step + "."):
                        edges.setdefault(name, set()).add(step)
    cycles, seen_cycles = [], set()
    for start in sorted(known):
        # a path from one of start's imports back to start
        seen, todo, back = set(), [(t, [start, t]) for t in edges.get(start, ())], None
        while todo and back is None:
            node, way = todo.pop()
            if node == start:
                back = way
            elif node not in seen:
                seen.add(node)
                todo.extend((t, way + [t]) for t in edges.get(node, ()))
        if back and frozenset(back) not in seen_cycles and not all(
                m.startswith(CYCLES_ALLOWED_UNDER) for m in back):
            seen_cycles.add(frozenset(back))
            cycles.append(" -> ".join(m[len(NAME) + 1:] for m in back))
    assert not cycles, f"import cycles: {cycles}"
