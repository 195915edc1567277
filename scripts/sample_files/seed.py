"""The seed text export, copied as it came: from ../shared/seed (relative to the repository root)
or, when that folder is absent, the committed copy in samples/dump/text_export is kept."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED_TEXT = "000_be68d999e2fa7b89.txt"
SEED_FOLDER = REPO.parent / "shared" / "seed"
COMMITTED_DUMP = REPO / "samples" / "dump"


def copy_seed_text(out: Path) -> None:
    """The seed text export as it is, from ../shared/seed or, without it, the committed copy."""
    target = out / "text_export" / SEED_TEXT
    source = SEED_FOLDER / SEED_TEXT
    if not source.exists():
        source = COMMITTED_DUMP / "text_export" / SEED_TEXT
        if not source.exists():
            raise SystemExit(f"seed text export not found in {SEED_FOLDER} nor in {source.parent}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.resolve() != source.resolve():
        target.write_bytes(source.read_bytes())
