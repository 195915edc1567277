"""Degrade page images with Augraphy, run by ``make_scan_corpus.py`` in its own environment.

    .venv-augraphy/bin/python scripts/augraphy_pages.py KIND SEED IN.npz OUT.npz

Augraphy depends on opencv-python (with GUI), scikit-learn and numba, which must not share the
pipeline's environment (its opencv-python-headless), so ``make scan-corpus`` installs it in
``.venv-augraphy`` and this script is the only code that imports it. IN.npz holds grey pages as
``page0``, ``page1``, …; OUT.npz gets the degraded pages under the same names, grey.
"""

from __future__ import annotations

import random
import sys

import cv2
import numpy as np
from augraphy import AugraphyPipeline, DirtyDrum, Folding, InkBleed, Jpeg, LightingGradient, LowInkRandomLines, ShadowCast, SubtleNoise


def pipeline(kind: str) -> AugraphyPipeline:
    """``copier``: ink bleed, streaks of low ink, a dirty drum's bands, JPEG; ``shadow``: a shadow
    cast across the sheet and uneven light (a phone photo's light); ``fold``: the sheet folded, a
    band of it sheared and shaded as a fold is (geometry a flat scan does not have). All leave the
    print legible to a person: the corpus measures reading, not guessing."""
    if kind == "augraphy_copier":
        return AugraphyPipeline(
            ink_phase=[InkBleed(intensity_range=(0.3, 0.5), p=1), LowInkRandomLines(count_range=(3, 6), p=1)],
            paper_phase=[],
            post_phase=[DirtyDrum(line_width_range=(1, 3), line_concentration=0.05, noise_intensity=0.3, p=1), SubtleNoise(p=1), Jpeg(quality_range=(60, 85), p=1)],
        )
    if kind == "augraphy_shadow":
        return AugraphyPipeline(ink_phase=[], paper_phase=[], post_phase=[ShadowCast(p=1), LightingGradient(p=1)])
    if kind == "augraphy_fold":
        return AugraphyPipeline(ink_phase=[], paper_phase=[], post_phase=[Folding(p=1)])
    raise ValueError(kind)


def main() -> None:
    kind, seed, source, target = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    random.seed(seed)
    np.random.seed(seed)
    degrade = pipeline(kind)
    pages = np.load(source)
    out = {}
    for name in pages.files:
        image = degrade(pages[name])
        out[name] = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    np.savez_compressed(target, **out)


if __name__ == "__main__":
    main()
