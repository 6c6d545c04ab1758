"""The store's place in the layers, checked on the source: what it imports, how it is typed.

`credit.store` sits below `scoring`-free territory on purpose: it keeps data, and judging data
(scores, what-if, adoptable weights) belongs above it. A store that imported scoring would pull
the engine into every CLI command and invite the god object back.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

CREDIT = ROOT / "credit"
FORBIDDEN_FOR_STORE = ("credit.scoring", "credit.reports", "credit.app")
MAX_TYPE_IGNORES = 5


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(module, at top level?) of every import in a file, including those inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def _under(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_store_imports_nothing_from_scoring_reports_or_app() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (CREDIT / "store").rglob("*.py")
        for module, _ in imports_of(path)
        if _under(module, FORBIDDEN_FOR_STORE)
    }
    assert offenders == set()


def test_scoring_and_model_do_not_import_the_store() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for package in ("scoring", "model", "common", "workbook")
        for path in (CREDIT / package).rglob("*.py")
        for module, _ in imports_of(path)
        if _under(module, ("credit.store",))
    }
    assert offenders == set()


def test_store_has_no_late_imports_of_itself_and_no_mixins() -> None:
    late = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (CREDIT / "store").rglob("*.py")
        for module, top in imports_of(path)
        if not top and _under(module, ("credit.store",))
    }
    assert late == set()
    mixins = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for path in (CREDIT / "store").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and (node.name.endswith("Mixin") or len(node.bases) > 1)
    ]
    assert mixins == []


def test_the_checker_sees_late_and_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("import os\nfrom credit.scoring import engine\n\ndef f():\n    from credit.store import x\n",
                      encoding="utf-8")
    assert imports_of(sample) == [("os", True), ("credit.scoring", True), ("credit.store", False)]


def test_type_ignores_in_credit_are_few() -> None:
    counts = {
        str(path.relative_to(ROOT)): text.count("type: ignore")
        for path in CREDIT.rglob("*.py")
        if "type: ignore" in (text := path.read_text(encoding="utf-8"))
    }
    assert sum(counts.values()) <= MAX_TYPE_IGNORES, counts
