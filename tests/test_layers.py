"""The package's subpackages are its stages: each imports only from the stages before it, so
what a module may use is read off its folder (README, "Layout of the repository")."""

from __future__ import annotations

import ast

from conftest import REPO

LAYERS = ["model", "readers", "parse", "ocr", "checks", "outputs", "review", "run"]  # each may import those before it
PIPELINE = REPO / "pipeline"


def imported(source: str) -> set[str]:
    """The pipeline subpackages a module imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "pipeline" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_module_is_in_a_stage_and_imports_only_earlier_stages():
    offenders = []
    for path in sorted(PIPELINE.rglob("*.py")):
        parts = path.relative_to(PIPELINE).parts
        if len(parts) == 1:
            continue  # cli.py, evaluate.py, __main__.py: above every stage
        layer = parts[0]
        assert layer in LAYERS, f"{path}: a subpackage the layers do not list"
        later = {other for other in imported(path.read_text(encoding="utf-8")) if other in LAYERS and LAYERS.index(other) > LAYERS.index(layer)}
        offenders += [f"{'/'.join(parts)} imports pipeline.{other}" for other in sorted(later)]
    assert offenders == []


def test_the_check_sees_an_import_from_a_later_stage():
    assert imported("def f():\n    from pipeline.run.batch import run\n") == {"run"}
    assert imported("import pipeline.review.report\nfrom pipeline.model import pointer as ptr\n") == {"review", "model"}
