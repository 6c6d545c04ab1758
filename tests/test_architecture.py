"""The layering of `credit/`, checked on the source (ast), not on what happens to be imported.

Layers, lowest first (docs/architecture.md): common ← model ← scoring / workbook ← store ← reports
← app. A module may import its own layer and any layer below; `credit.errors` is importable by
all. Between the two siblings scoring and workbook arrows may go one way only (the package graph
has no cycle): today scoring uses workbook's register frame and Excel writer.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PACKAGE = ROOT / "credit"
RANK = {"common": 0, "model": 1, "scoring": 2, "workbook": 2, "store": 3, "reports": 4, "app": 5}
FREE = {"credit", "credit.errors", "credit.__main__"}  # importable by all / the entry point

# Function-level imports of credit modules that are allowed, each with its reason.
LATE_OK: dict[tuple[str, str], str] = {
    ("credit.app.cli", "*"): "the CLI loads only what the command run needs, so `--help` and `user` start fast",
    ("credit.store.maintenance", "credit.workbook.importer"): "the importer is heavy; only the rebuild needs it",
    # Home and every page import these modules; openpyxl / calamine / python-docx are imported only
    # where a file is read or written (a new server's first page; tests/pages/test_home_imports.py)
    ("credit.store.unitdesk", "credit.workbook.importer"): "openpyxl and calamine: only a unit's upload is parsed",
    ("credit.store.unitdesk", "credit.workbook.template"): "openpyxl: only a unit's template is written",
    ("credit.store.unitdesk", "credit.workbook.preview"): "the surge check parses: only an adoption runs it",
    ("credit.app.service", "credit.workbook.preview"): "the workbook checks: only an upload is checked",
    ("credit.reports.exports", "credit.reports.docx"): "python-docx: only a Word or PDF download renders it",
    ("credit.reports.annual_files", "credit.reports.annual_docx"): "python-docx: only a 年度通报 Word/PDF renders it",
}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, module: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports() -> dict[str, list[tuple[str, bool, int]]]:
    """module → [(imported module, at top level?, line)] for every import in `credit/`."""
    out: dict[str, list[tuple[str, bool, int]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        for n in tree.body:  # `if TYPE_CHECKING:` blocks are top level too
            if isinstance(n, (ast.If, ast.Try)):
                top |= {id(c) for c in ast.walk(n)}
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(node, module, path.name == "__init__.py")
                names = [target]
                # `from credit.scoring import whatif` imports the submodule credit.scoring.whatif
                if (PACKAGE.parent / target.replace(".", "/")).is_dir():
                    names += [f"{target}.{a.name}" for a in node.names
                              if (PACKAGE.parent / target.replace(".", "/") / f"{a.name}.py").exists()]
            else:
                continue
            found += [(name, id(node) in top, node.lineno) for name in names]
        out[module] = found
    return out


IMPORTS = _imports()


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def test_every_module_sits_in_a_layer() -> None:
    loose = [m for m in IMPORTS if _layer(m) is None and m not in FREE]
    assert loose == [], f"modules outside the layers (put them in a sub-package): {loose}"


def test_no_streamlit_in_credit() -> None:
    bad = [(m, line) for m, imps in IMPORTS.items() for name, _, line in imps if name.split(".")[0] == "streamlit"]
    assert bad == [], f"credit/ must not import streamlit: {bad}"


def test_arrows_only_point_down() -> None:
    upward = []
    for module, imps in IMPORTS.items():
        here = _layer(module)
        for name, _, line in imps:
            there = _layer(name) if name.startswith("credit.") else None
            if here is None or there is None or name in FREE:
                continue
            if RANK[there] > RANK[here]:
                upward.append(f"{module}:{line} → {name}")
    assert upward == [], "imports pointing up a layer:\n" + "\n".join(upward)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imps in IMPORTS.items():
        graph[module] |= {n for n, _, _ in imps if n in IMPORTS and n != module}
    assert _cycle(graph) is None, f"import cycle: {' → '.join(_cycle(graph) or [])}"


def test_no_import_cycle_between_layers() -> None:
    """Siblings (scoring, workbook) may depend on each other one way only."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imps in IMPORTS.items():
        here = _layer(module)
        for name, _, _ in imps:
            there = _layer(name) if name.startswith("credit.") else None
            if here and there and there != here:
                graph[here].add(there)
    assert _cycle(graph) is None, f"layer cycle: {' → '.join(_cycle(graph) or [])}"


def test_no_late_imports_of_credit_except_the_listed_ones() -> None:
    late = [f"{m}:{line} → {name}" for m, imps in IMPORTS.items() for name, top, line in imps
            if not top and name.startswith("credit")
            and (m, name) not in LATE_OK and (m, "*") not in LATE_OK]
    assert late == [], "function-level imports (hoist them, or list them in LATE_OK with a reason):\n" + "\n".join(late)


def test_listed_late_imports_still_exist() -> None:
    """An exception nobody needs any more is removed from the list."""
    for (module, name), reason in LATE_OK.items():
        assert reason
        hits = [n for n, top, _ in IMPORTS.get(module, []) if not top and (name == "*" or n == name)]
        assert hits, f"{module} no longer imports {name} late: drop it from LATE_OK"


@pytest.mark.parametrize("top", ["__init__.py", "__main__.py", "errors.py"])
def test_only_the_entry_files_lie_at_the_top_of_credit(top: str) -> None:
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py", "errors.py"]
    assert (PACKAGE / top).exists()


# -- a rule type is one unit (issue 24, item 1) -------------------------------------------------

RULES_PKG = PACKAGE / "scoring" / "rules"
# Code outside the rule's module that names one rule type, each with its reason.
RULE_NAMED_OK: dict[tuple[str, str], str] = {
    ("credit.scoring.sgs_checks", "deduct_per_item"): "双公示预检 predicts a deduction by the step-and-cap arithmetic itself",
}


def test_a_rule_is_registered_by_its_module_alone() -> None:
    """`credit/scoring/rules/__init__.py` names no rule (it imports the package's modules), every
    rule module's class is in RULES, and no other module branches on a rule's name."""
    from credit.model.rule_params import RULE_SPECS
    from credit.scoring.rules import RULES

    init = (RULES_PKG / "__init__.py").read_text(encoding="utf-8")
    for name in RULES:
        assert name not in init, f"rules/__init__.py names {name}: a rule registers by its module"
    for name, rule in RULES.items():
        assert type(rule).__module__ == f"credit.scoring.rules.{name}", f"rule {name} lives in rules/{name}.py"
    assert set(RULES) == set(RULE_SPECS)
    named = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        if module.startswith("credit.scoring.rules") or module == "credit.model.rule_params":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in RULES and (module, node.value) not in RULE_NAMED_OK:
                named.append(f"{module}:{node.lineno} names {node.value!r}")
    assert named == [], "ask the rule object instead of branching on its name:\n" + "\n".join(named)


# -- one Store API, one name one thing (issue 24, items 2 and 3) ---------------------------------

# Module names that more than one module carries: the same concept in each layer (the model of a
# thing, its store part, its page). Two different things never share a name.
SAME_CONCEPT: dict[str, str] = {
    "accounts": "accounts and roles: the model (Actor, Action), the store part, the admin page",
    "bulletin": "the month's 通报: its model and Excel, the page, its ui parts",
    "registers": "the evidence 登记表: reading and checking (workbook), storing (store), the page",
    "scenarios": "saved 权重方案: the value (model), analytics (scoring), storage (store)",
    "units": "the unit roster: the model and its store part",
    "whatif": "权重模拟: the arithmetic (scoring) and its page",
    "xyd": "信易贷进度: the figures (scoring) and its page",
    "sgs": "双公示预检: the use case (app) and its page",
    "exports": "report exports: rendering and recording them (reports), the audit row (store)",
    "maintenance": "keeping the database: backups, integrity, restore (store) and the admin's 系统维护 page",
    "workdays": "the working-day calendar: checking a year's 放假/调休 (model) and storing it (store)",
    "year": "年度分析: its ui parts and its page",
}


def _module_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for top in ("credit", "ui", "pages"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path.name not in ("__init__.py", "__main__.py"):
                names[path.stem].append(str(path.relative_to(ROOT)))
    return names


def test_two_different_things_never_share_a_module_name() -> None:
    shared = {n: paths for n, paths in _module_names().items() if len(paths) > 1 and n not in SAME_CONCEPT}
    assert shared == {}, f"one name, one thing: rename, or list the concept in SAME_CONCEPT: {shared}"
    stale = [n for n in SAME_CONCEPT if len(_module_names().get(n, [])) < 2]
    assert stale == [], f"SAME_CONCEPT lists names no longer shared: {stale}"


def test_the_store_has_no_forwarders_and_parts_are_named_after_their_class() -> None:
    """One Store API: callers use the parts. A method whose body only hands over to a part is a
    second way to say the same thing; an attribute reads as its class (`accounts = Accounts(…)`)."""
    tree = ast.parse((PACKAGE / "store" / "facade.py").read_text(encoding="utf-8"))
    store = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Store")
    forwarders = []
    for fn in store.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if len(body) == 1 and isinstance(body[0], (ast.Return, ast.Expr)) and isinstance(body[0].value, ast.Call):
            f = body[0].value.func
            if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Attribute)
                    and isinstance(f.value.value, ast.Name) and f.value.value.id == "self"
                    and not f.value.attr.startswith("_")):
                forwarders.append(f"Store.{fn.name} → self.{f.value.attr}.{f.attr}")
    assert forwarders == [], "call the part instead:\n" + "\n".join(forwarders)
    init = next(fn for fn in store.body if isinstance(fn, ast.FunctionDef) and fn.name == "__init__")
    wrong = []
    for st in ast.walk(init):
        if (isinstance(st, ast.Assign) and isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Name)
                and isinstance(st.targets[0], ast.Attribute) and not st.targets[0].attr.startswith("_")):
            cls, attr = st.value.func.id, st.targets[0].attr
            if attr != re.sub(r"(?<!^)(?=[A-Z])", "_", cls).lower():
                wrong.append(f"{attr} = {cls}(…)")
    assert wrong == [], f"name each part after its class: {wrong}"


def test_permissions_are_typed_actions() -> None:
    """No string permission reaches authorize/require/can in the tree, and every `Action.X` named
    anywhere is a member (a typo fails here, before any page runs it)."""
    from credit.model.accounts import Action

    members = {a.name for a in Action}
    bad = []
    for top in ("credit", "ui", "pages", "tests"):
        for path in sorted((ROOT / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Action":
                    if node.attr.isupper() and node.attr not in members:
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno} Action.{node.attr}")
                if isinstance(node, ast.Call):
                    f = node.func
                    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                    at = {"authorize": 1, "require": 0, "can": 0, "allowed": 1}.get(name)
                    if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant) \
                            and isinstance(node.args[at].value, str) and top != "tests":
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}({node.args[at].value!r})")
    assert bad == [], "\n".join(bad)


def test_every_path_in_the_architecture_doc_exists() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:credit|ui|pages|tests|data|tools|benchmarks)/[^`*<>]+?)`", doc))
    paths |= {p for p in re.findall(r"`([A-Za-z_]+\.py)`", doc) if (ROOT / p).exists() or p == "Home.py"}
    missing = sorted(p for p in paths if not (ROOT / p.split("::")[0].rstrip("/")).exists())
    assert paths and missing == [], f"docs/architecture.md names paths that do not exist: {missing}"
