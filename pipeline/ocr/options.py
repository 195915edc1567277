"""What to extract, chosen on the command line: light on purpose (no OCR engine, no reader), so
the main process can parse arguments and plan a run, a re-run of cached files included, without
loading what only the workers that read files need."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.readers.convert import soffice

OCR_MODES = ("auto", "always", "never")
ENGINE_NAMES = ("hybrid", "rapidocr", "tesseract")  # the keys of engines.ENGINES
DEFAULT_ENGINE = "hybrid"  # see README: the accuracy targets at ~5 s/page; tesseract alone is faster


@dataclass(frozen=True)
class ExtractOptions:
    ocr: str = "auto"  # auto | always | never
    ocr_engine: str = DEFAULT_ENGINE
    dpi: int = 300
    max_pages: int = 500  # a file with more pages is refused (a memory and time guard)
    # where LibreOffice is (None: not installed); part of the options so that the result cache,
    # keyed by them, re-reads the .doc files that failed for want of it once it is installed
    libreoffice: str | None = field(default_factory=soffice)

    def __post_init__(self) -> None:
        if self.ocr not in OCR_MODES:
            raise ValueError(f"--ocr must be one of {', '.join(OCR_MODES)}, not {self.ocr!r}")
