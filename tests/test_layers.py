"""The import contract: each stage imports only the stages below it.

The repository keeps crawler/, reports/ and checklists/ at top level, installed as
oitcheck.crawler, oitcheck.reports and oitcheck.checklists; this test reads every module's
imports (ast, no import runs) under those names."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"oitcheck": ROOT / "oitcheck", "oitcheck.crawler": ROOT / "crawler", "oitcheck.reports": ROOT / "reports",
            "oitcheck.checklists": ROOT / "checklists"}

# Top to bottom; a module may import modules of its own layer's package and of lower layers.
LAYERS = [
    {"oitcheck.cli", "oitcheck.__main__"},
    {"oitcheck.batch", "oitcheck.demo", "oitcheck.web", "oitcheck.answers"},
    {"oitcheck.crawl"},
    {"oitcheck.crawler"},
    {"oitcheck.finish"},
    {"oitcheck.history", "oitcheck.reports"},
    {"oitcheck.collect"},
    {"oitcheck.verdicts", "oitcheck.scoring"},
    {"oitcheck.matching", "oitcheck.checklist"},
    {"oitcheck.rules", "oitcheck.pages", "oitcheck.documents", "oitcheck.render"},
    {"oitcheck.ocr", "oitcheck.dates"},
    {"oitcheck.thai"},
    {"oitcheck.model", "oitcheck.checklists", "oitcheck"},
]
# The report writers read the model only: they never decide anything.
WRITERS_MAY_IMPORT = {"oitcheck.model", "oitcheck.reports"}


def modules():
    for pkg, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            yield ".".join([pkg, *parts]), path


def unit(name: str) -> str:
    """The layer unit a module belongs to: its top-level oitcheck module or package."""
    for pkg in ("oitcheck.crawler", "oitcheck.reports", "oitcheck.checklists", "oitcheck.demo", "oitcheck.web"):
        if name == pkg or name.startswith(pkg + "."):
            return pkg
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else name


def layer_of(u: str) -> int:
    for n, layer in enumerate(LAYERS):
        if u in layer:
            return n
    raise AssertionError(f"{u} is in no layer of tests/test_layers.py: place it")


def imports(name: str, path: Path):
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or node.level:
                for a in node.names:  # "from . import rules" imports oitcheck.rules
                    yield f"{target}.{a.name}" if not node.module else target, node.lineno
            else:
                yield target, node.lineno


def test_every_stage_imports_only_stages_below_it():
    wrong = []
    for name, path in modules():
        here = unit(name)
        for target, line in imports(name, path):
            if not (target == "oitcheck" or target.startswith("oitcheck.")):
                continue
            there = unit(target)
            if there == here or there == "oitcheck":
                continue
            if layer_of(there) < layer_of(here):
                wrong.append(f"{path.relative_to(ROOT)}:{line} {here} imports {there} (a higher layer)")
            if here == "oitcheck.reports" and there not in WRITERS_MAY_IMPORT:
                wrong.append(f"{path.relative_to(ROOT)}:{line} a report writer imports {there}")
    assert not wrong, "\n".join(wrong)


def test_the_contract_sees_every_package():
    names = {unit(n) for n, _ in modules()}
    assert {"oitcheck.crawler", "oitcheck.reports", "oitcheck.collect", "oitcheck.rules", "oitcheck.model"} <= names
    for u in names:
        layer_of(u)
