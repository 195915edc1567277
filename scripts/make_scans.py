"""Scanned and photographed versions of the sample PDFs (called by make_samples.py).

Every degradation uses a fixed random seed, so the files are the same on every run:
- ``scans/clean_300dpi.pdf``: an image-only PDF, 300 dpi grayscale, as a good office scanner makes;
- ``scans/skewed_200dpi.pdf``: 200 dpi, rotated 1.5°, sensor noise and JPEG artefacts;
- ``scans/phone_photo.jpg``: a phone photo: perspective, uneven light, slight blur, JPEG;
- ``scans/fax.tif``: a 1-bit fax TIFF (Group 4), two pages, the second one upside down;
- ``scans/mixed.pdf``: an exported page (text layer) followed by a scanned one (image only);
- ``bad/noise.png``: an "image" that is only noise (no form in it).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas


def saved(document: pdfium.PdfDocument) -> bytes:
    """The document's bytes as PDFium saves them, with its random /ID pinned (same length, so
    the offsets hold) to keep the file the same on every run."""
    buffer = io.BytesIO()
    document.save(buffer)
    return re.sub(rb"/ID\s*\[<[0-9A-Fa-f]{32}><[0-9A-Fa-f]{32}>\]", b"/ID[<" + b"0" * 32 + b"><" + b"0" * 32 + b">]", buffer.getvalue())


def render(pdf: Path, page: int, dpi: int) -> np.ndarray:
    bitmap = pdfium.PdfDocument(pdf)[page].render(scale=dpi / 72, grayscale=True).to_numpy()
    return np.ascontiguousarray(bitmap if bitmap.ndim == 2 else bitmap[:, :, 0])


def image_pdf(path: Path, pages: list[np.ndarray], jpeg_quality: int | None = None) -> None:
    """An image-only PDF, one image per A4 page (PNG inside, or JPEG when a quality is given)."""
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    for gray in pages:
        buffer = io.BytesIO()
        if jpeg_quality is None:
            Image.fromarray(gray).save(buffer, format="PNG", optimize=True)
        else:
            Image.fromarray(gray).save(buffer, format="JPEG", quality=jpeg_quality)
        buffer.seek(0)
        canvas.drawImage(ImageReader(buffer), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


def noisy(gray: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return np.clip(gray.astype(np.float32) + rng.normal(0, sigma, gray.shape), 0, 255).astype(np.uint8)


def phone_photo(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The page on a desk, shot from slightly off-centre, under a lamp on one side."""
    height, width = gray.shape
    canvas_h, canvas_w = int(height * 1.15), int(width * 1.2)
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    target = np.float32(
        [
            [canvas_w * 0.10, canvas_h * 0.06],
            [canvas_w * 0.88, canvas_h * 0.09],
            [canvas_w * 0.93, canvas_h * 0.95],
            [canvas_w * 0.06, canvas_h * 0.92],
        ]
    )
    matrix = cv2.getPerspectiveTransform(source, target)
    desk = np.full((canvas_h, canvas_w), 90, np.uint8)
    photo = cv2.warpPerspective(gray, matrix, (canvas_w, canvas_h), dst=desk, borderMode=cv2.BORDER_TRANSPARENT)
    light = np.linspace(1.0, 0.62, canvas_w, dtype=np.float32)[None, :] * np.linspace(1.0, 0.85, canvas_h, dtype=np.float32)[:, None]
    photo = photo.astype(np.float32) * light
    photo = cv2.GaussianBlur(photo, (0, 0), 0.8)
    return noisy(np.clip(photo, 0, 255).astype(np.uint8), rng, 4.0)


def fax_page(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """1-bit, slightly noisy, as a fax machine sends it."""
    speckled = noisy(gray, rng, 20.0)
    return np.where(speckled < 150, 0, 255).astype(np.uint8)


def write_scans(out: Path) -> None:
    rng = np.random.default_rng(20221231)
    training = out / "2022" / "单表" / "培训经费.pdf"
    housing = out / "2022" / "单表" / "住房租赁市场发展专项.pdf"
    national = out / "2022" / "national" / "基层农技人员能力提升培训.pdf"
    scans = out / "scans"
    scans.mkdir(parents=True, exist_ok=True)

    image_pdf(scans / "clean_300dpi.pdf", [render(training, 0, 300), render(national, 0, 300)])
    image_pdf(scans / "skewed_200dpi.pdf", [noisy(rotate(render(housing, 0, 200), 1.5), rng, 10.0)], jpeg_quality=55)

    photo = phone_photo(render(training, 0, 200), rng)
    Image.fromarray(photo).save(scans / "phone_photo.jpg", format="JPEG", quality=80)

    frames = [fax_page(render(national, 0, 200), rng), fax_page(np.rot90(render(housing, 0, 200), 2), rng)]
    images = [Image.fromarray(f).convert("1") for f in frames]
    images[0].save(scans / "fax.tif", format="TIFF", compression="group4", dpi=(200, 200), save_all=True, append_images=images[1:])

    mixed = pdfium.PdfDocument(housing)
    mixed.import_pages(pdfium.PdfDocument(scans / "clean_300dpi.pdf"), pages=[0])
    (scans / "mixed.pdf").write_bytes(saved(mixed))

    noise = rng.integers(0, 256, size=(500, 400), dtype=np.uint8)
    Image.fromarray(noise).save(out / "bad" / "noise.png", format="PNG")
