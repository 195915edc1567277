"""A scan corpus made by other tools than the samples' own (poppler, Ghostscript), to develop and
measure the OCR path on pages it was not tuned for.

    python scripts/make_scan_corpus.py [--out eval/build/scans-dev] [--kinds a,b]

Each text-layer sample PDF of ``samples/dump/2022/`` (whose expected content is in
``samples/expected/``) is rasterised and degraded in several ways ("kinds"); ``manifest.json``
lists every file made with its kind, its source PDF and its half: ``dev`` (developed on) or
``report`` (only measured). Output is gitignored; every run makes the same files (fixed seeds).

Kinds: poppler 300 dpi grey PNG in PDF; Ghostscript 200 dpi grey PNG; Ghostscript 150 dpi grey
(antialiased thin, grey lines); Ghostscript 400 dpi grey; poppler 1-bit 200 dpi as Group-4 TIFF (fax);
Ghostscript tiffg4 (multi-page fax); JPEG inside PDF (q 50); pages turned by 90/180/270°; ±3°
skew with noise; a landscape page (the form on a wide sheet) and the same turned 90° as a
scanner feeding it sideways makes it; 16-bit grey PNG; WebP; a phone's photo (a JPEG of the sheet
on a desk, at a slant, lit unevenly, slightly blurred: ``photo``); the forms drawn again in Kai and in
Song (Ming) instead of the samples' Hei, scanned at 300 dpi. With Augraphy (``make scan-corpus``
installs it in ``.venv-augraphy``, see scripts/augraphy_pages.py): a worn copier's print (ink
bleed, low-ink streaks, a dirty drum, JPEG), a sheet under a cast shadow and uneven light, and a
folded sheet (a sheared, shaded band), at 300 dpi; without it those kinds are skipped, saying so.
``stamp``: a colour scan (JPEG in PDF) with a unit's red seal pressed over the table, and
``stamp_gray`` the same scanned in grey;
``hairlines``: every ruling line a 1-pixel light grey hairline (Word's 0.5 pt borders at 300 dpi);
``lid_open``: the sheet scanned with the lid open, on the glass a little askew: black round the
paper, its edge shaded, grain, JPEG in PDF; ``web100``: each page a JPEG of ~100 dpi with no
resolution in it, as forms are published as pictures on web pages; ``bent``: a page of a bound
volume on a flatbed, its rows bowed by 3–6 mm and its print pulled in and shaded toward the binding.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
DUMP = REPO / "samples" / "dump"
SOURCES = {
    "dev": ["2022/单表/培训经费.pdf", "2022/单表/住房租赁市场发展专项.pdf", "2022/national/基层农技人员能力提升培训.pdf", "2022/吉华街道_项目支出绩效自评表_2022.pdf"],
    "report": ["2022/yunnan/茶园绿色防控技术推广.pdf", "2022/xianjie/产业园基础设施建设.pdf", "2022/hubei/乡镇农产品质量安全监管能力建设.pdf", "2022/单表/网格管理事务.pdf"],
}


def poppler(pdf: Path, dpi: int, mono: bool = False) -> list[np.ndarray]:
    with tempfile.TemporaryDirectory() as folder:
        args = ["pdftoppm", "-r", str(dpi), "-mono" if mono else "-gray", str(pdf), f"{folder}/p"]
        subprocess.run(args, check=True)
        return [np.asarray(Image.open(p).convert("L")) for p in sorted(Path(folder).iterdir())]


def ghostscript(pdf: Path, dpi: int, device: str = "pnggray") -> list[np.ndarray]:
    with tempfile.TemporaryDirectory() as folder:
        args = ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", f"-sDEVICE={device}", f"-r{dpi}", "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4", f"-sOutputFile={folder}/p%03d.png", str(pdf)]
        subprocess.run(args, check=True)
        return [np.asarray(Image.open(p).convert("L")) for p in sorted(Path(folder).iterdir())]


def image_pdf(path: Path, pages: list[np.ndarray], dpi: int, jpeg_quality: int | None = None) -> None:
    """An image-only PDF: lossless pages through reportlab, or JPEG pages through Pillow when a
    quality is given."""
    images = [Image.fromarray(p) for p in pages]
    options = {"quality": jpeg_quality} if jpeg_quality else {}
    if jpeg_quality is None:  # Pillow would store the pages as JPEG: write lossless ones through reportlab
        from reportlab.lib.utils import ImageReader
        from reportlab.pdfgen.canvas import Canvas

        canvas = Canvas(str(path), invariant=1)
        for image in images:
            size = (image.width * 72 / dpi, image.height * 72 / dpi)
            canvas.setPageSize(size)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            buffer.seek(0)
            canvas.drawImage(ImageReader(buffer), 0, 0, width=size[0], height=size[1])
            canvas.showPage()
        canvas.save()
        return
    images[0].save(path, format="PDF", resolution=dpi, save_all=True, append_images=images[1:], **options)


def noisy(gray: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return np.clip(gray.astype(np.float32) + rng.normal(0, sigma, gray.shape), 0, 255).astype(np.uint8)


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


def landscape(gray: np.ndarray) -> np.ndarray:
    """The portrait page placed on a landscape sheet of the same height (a wide form's page)."""
    height, width = gray.shape
    sheet = np.full((height, int(height * 1.414)), 255, np.uint8)
    x = (sheet.shape[1] - width) // 2
    sheet[:, x : x + width] = gray
    return sheet


def thin_rules(gray: np.ndarray) -> np.ndarray:
    """Ruling lines redrawn as 1-pixel light grey hairlines (Word tables with 0.5 pt borders)."""
    ink = (gray < 200).astype(np.uint8) * 255  # antialiased rules are grey
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (80, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 80)))
    lines = cv2.bitwise_or(horizontal, vertical)
    out = gray.copy()
    out[cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0] = 255
    top_edge = horizontal.copy()
    top_edge[1:][horizontal[:-1] > 0] = 0  # one pixel of each horizontal line: its top row
    left_edge = vertical.copy()
    left_edge[:, 1:][vertical[:, :-1] > 0] = 0  # and of each vertical one: its left column
    out[(top_edge > 0) | (left_edge > 0)] = 150
    return out


def lid_open(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The sheet on a flatbed with the lid open: the glass beyond the paper scans near-black, the
    paper lies a few mm from the glass's corner and turned by up to 1°, its edge shaded where it
    lifts off the glass."""
    height, width = gray.shape
    top, left, bottom, right = (int(rng.integers(40, 160)) for _ in range(4))
    glass = np.full((height + top + bottom, width + left + right), 0, np.float32)
    sheet = gray.astype(np.float32)
    edge = 45  # px of shading along each edge of the paper, darkest at the edge
    across, down = np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    nearest = np.minimum(np.minimum(across, across[::-1])[None, :], np.minimum(down, down[::-1])[:, None])
    ramp = np.minimum(1.0, nearest / edge)
    sheet *= 0.6 + 0.4 * ramp
    glass[top : top + height, left : left + width] = sheet
    matrix = cv2.getRotationMatrix2D((glass.shape[1] / 2, glass.shape[0] / 2), float(rng.uniform(-1.0, 1.0)), 1.0)
    turned = cv2.warpAffine(glass, matrix, (glass.shape[1], glass.shape[0]), flags=cv2.INTER_LINEAR, borderValue=0)
    dark = rng.uniform(15, 45)  # the glass's black is a scanner's, not zero
    turned = np.maximum(turned, dark) + rng.normal(0, 5, turned.shape)
    return np.clip(turned, 0, 255).astype(np.uint8)


def bent(gray: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    """A page of a bound volume on a flatbed: the sheet bows off the glass, so its rows sag by
    3–6 mm across the page, and it curls toward the binding (one side, drawn at random), where the
    print is pulled in and shaded."""
    height, width = gray.shape
    sag = float(rng.uniform(3.0, 6.0)) * dpi / 25.4
    gutter_left = bool(rng.integers(2))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    from_gutter = xs if gutter_left else width - 1 - xs
    map_y = ys - sag * np.sin(np.pi * xs / width) * (0.5 + 0.5 * ys / height)
    curl = 0.6 * sag * np.cos(np.pi * from_gutter / (2 * width)) ** 4
    map_x = xs + (curl if gutter_left else -curl)
    page = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderValue=255).astype(np.float32)
    shade = 1.0 - 0.35 * np.exp(-from_gutter[0] / (0.04 * width))
    return np.clip(page * shade[None, :] + rng.normal(0, 4, page.shape), 0, 255).astype(np.uint8)


def photo(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A phone's photo of the printed page: the sheet on a darker desk, seen at a slant (each corner
    moved by up to 4% of the page, the top farther away), light falling off across it, a little
    out of focus, sensor noise; about 12 megapixels."""
    height, width = gray.shape
    frame_h, frame_w = int(height * 1.12), int(width * 1.12)
    margin_x, margin_y = (frame_w - width) / 2, (frame_h - height) / 2
    jitter = rng.uniform(-0.04, 0.04, (4, 2)) * [width, height]
    keystone = rng.uniform(0.01, 0.04) * width  # the top edge is farther from the lens
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    placed = corners + [margin_x, margin_y] + jitter + [[keystone, 0], [-keystone, 0], [0, 0], [0, 0]]
    matrix = cv2.getPerspectiveTransform(corners, np.float32(placed))
    sheet = cv2.warpPerspective(gray, matrix, (frame_w, frame_h), flags=cv2.INTER_LINEAR, borderValue=255)
    inside = cv2.warpPerspective(np.full_like(gray, 255), matrix, (frame_w, frame_h), flags=cv2.INTER_NEAREST, borderValue=0) > 0
    desk = np.full((frame_h, frame_w), rng.uniform(70, 110), np.float32)
    picture = np.where(inside, sheet.astype(np.float32), desk)
    ys, xs = np.mgrid[0:frame_h, 0:frame_w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xs / frame_w + np.sin(angle) * ys / frame_h + 1) / 2  # 0..1 across the frame
    light = 1.0 - rng.uniform(0.15, 0.3) * ramp - 0.12 * (((xs / frame_w - 0.5) ** 2 + (ys / frame_h - 0.5) ** 2) * 2)
    picture = cv2.GaussianBlur(picture * light, (0, 0), rng.uniform(0.6, 1.1))
    return np.clip(picture + rng.normal(0, 4, picture.shape), 0, 255).astype(np.uint8)


SEAL_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def stamped(gray: np.ndarray, rng: np.random.Generator, dpi: int, at: tuple[float, float] | None = None) -> np.ndarray:
    """The page in colour with a unit's red seal (公章) pressed on it, over the table: a 42 mm ring,
    a star and the unit's name round the top, in uneven red ink that lets the print show through
    (multiplied, as ink on paper is), centred ``at`` (shares of the page's width and height) or at
    random. Most published forms carry one; in grey it is dark ink."""
    from PIL import ImageDraw, ImageFont

    height, width = gray.shape
    mm = dpi / 25.4
    radius = int(21 * mm)
    size = 2 * radius + 8
    seal = Image.new("L", (size, size), 0)  # ink coverage, 0..255
    draw = ImageDraw.Draw(seal)
    centre = size // 2
    draw.ellipse((4, 4, size - 4, size - 4), outline=255, width=int(1.2 * mm))
    star = [(centre + r * np.sin(a), centre - r * np.cos(a)) for k in range(10) for a, r in [(k * np.pi / 5, (7 * mm if k % 2 == 0 else 2.8 * mm))]]
    draw.polygon(star, fill=255)
    font = ImageFont.truetype(str(SEAL_FONT), int(5.5 * mm))
    name = "成安县民政局财务专用章"
    for k, char in enumerate(name):  # round the top, from lower left to lower right
        angle = -130 + 260 * k / (len(name) - 1)
        glyph = Image.new("L", (int(7 * mm), int(7 * mm)), 0)
        ImageDraw.Draw(glyph).text((int(0.7 * mm), 0), char, fill=255, font=font)
        glyph = glyph.rotate(-angle, resample=Image.BICUBIC, expand=True)
        x = centre + (radius - 6 * mm) * np.sin(np.radians(angle)) - glyph.width / 2
        y = centre - (radius - 6 * mm) * np.cos(np.radians(angle)) - glyph.height / 2
        seal.paste(255, (int(x), int(y)), glyph)
    coverage = np.asarray(seal, np.float32) / 255
    coverage = cv2.GaussianBlur(coverage, (0, 0), 0.8) * rng.uniform(0.55, 0.95, coverage.shape).astype(np.float32)
    coverage = np.clip(cv2.GaussianBlur(coverage, (0, 0), 1.5) * 1.3, 0, 0.9)
    colour = np.repeat(gray[:, :, None].astype(np.float32), 3, axis=2)
    ink = np.array([205, 35, 45], np.float32) / 255  # seal red
    across, down = at if at is not None else (rng.uniform(0.45, 0.8), rng.uniform(0.3, 0.75))
    top, left = int(down * height) - centre, int(across * width) - centre
    region = colour[max(0, top) : top + size, max(0, left) : left + size]
    part = coverage[max(0, -top) : max(0, -top) + region.shape[0], max(0, -left) : max(0, -left) + region.shape[1], None]
    region *= 1 - part * (1 - ink)
    paper = np.array([250, 247, 240], np.float32) / 255  # off-white paper, as a colour scanner sees it
    colour *= paper
    return np.clip(colour + rng.normal(0, 3, colour.shape), 0, 255).astype(np.uint8)


def tiff(path: Path, pages: list[np.ndarray], dpi: int) -> None:
    images = [Image.fromarray(p).convert("1") for p in pages]
    images[0].save(path, format="TIFF", compression="group4", dpi=(dpi, dpi), save_all=True, append_images=images[1:])


def png(path: Path, gray: np.ndarray, dpi: int, sixteen: bool = False) -> None:
    if sixteen:  # 16-bit grey, as scanners' "48-bit/16-bit" modes write
        cv2.imwrite(str(path), gray.astype(np.uint16) * 257)
        return
    Image.fromarray(gray).save(path, format="PNG", dpi=(dpi, dpi))


KINDS = [
    "poppler300",
    "gs200",
    "gs150_thin",
    "gs400",
    "fax_poppler200",
    "fax_gs200",
    "jpeg_in_pdf",
    "turned90",
    "turned180",
    "turned270",
    "skew_plus3",
    "skew_minus3",
    "landscape",
    "landscape_turned",
    "png16",
    "webp",
    "photo",
    "stamp",
    "stamp_gray",
    "hairlines",
    "lid_open",
    "web100",
    "bent",
]
# The same forms drawn in other typefaces than the samples' Hei (WenQuanYi Micro Hei), then scanned
# at 300 dpi: Kai (brush-like strokes) and Song/Ming (thin horizontals, serifs), Debian's
# fonts-arphic-ukai and -uming. FangSong has no free TrueType font in Debian.
FONT_KINDS = {"font_kai": ("ARPLUKaiCN", Path("/usr/share/fonts/truetype/arphic/ukai.ttc")), "font_song": ("ARPLUMingCN", Path("/usr/share/fonts/truetype/arphic/uming.ttc"))}


def redrawn(source: str, kind: str, folder: Path) -> Path:
    """The sample PDF at ``source`` drawn again from its specs in the kind's typeface."""
    from sample_files.pdf import register_font, use_font, write_pdf
    from sample_files.specs import printed_pdfs

    register_font()
    name, path = FONT_KINDS[kind]
    use_font(name, path, index=0)  # the CN face of the collection
    target = folder / "redrawn.pdf"
    write_pdf(target, printed_pdfs()[source])
    return target


AUGRAPHY_KINDS = ["augraphy_copier", "augraphy_shadow", "augraphy_fold"]  # made in .venv-augraphy (scripts/augraphy_pages.py)
AUGRAPHY_PYTHON = REPO / ".venv-augraphy" / "bin" / "python"


def augraphy(kind: str, pages: list[np.ndarray], seed: int, python: Path) -> list[np.ndarray]:
    """The pages degraded by Augraphy, in its own environment (its OpenCV is not the pipeline's)."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.npz", Path(folder) / "out.npz"
        np.savez(source, **{f"page{i}": page for i, page in enumerate(pages)})
        subprocess.run(
            [str(python), str(REPO / "scripts" / "augraphy_pages.py"), kind, str(seed), str(source), str(target)], check=True, cwd=folder
        )  # Augraphy keeps a cache folder in the working directory
        degraded = np.load(target)
        return [degraded[f"page{i}"] for i in range(len(pages))]


def make(kind: str, pdf: Path, target: Path, rng: np.random.Generator) -> list[Path]:
    """Write the ``kind`` version(s) of ``pdf`` at ``target`` (without extension); return the files."""
    if kind in FONT_KINDS:
        with tempfile.TemporaryDirectory() as folder:
            image_pdf(out := target.with_suffix(".pdf"), poppler(redrawn(pdf.relative_to(DUMP).as_posix(), kind, Path(folder)), 300), 300)
    elif kind == "poppler300":
        image_pdf(out := target.with_suffix(".pdf"), poppler(pdf, 300), 300)
    elif kind == "gs200":
        image_pdf(out := target.with_suffix(".pdf"), ghostscript(pdf, 200), 200)
    elif kind == "gs150_thin":
        image_pdf(out := target.with_suffix(".pdf"), ghostscript(pdf, 150), 150)
    elif kind == "gs400":
        image_pdf(out := target.with_suffix(".pdf"), ghostscript(pdf, 400), 400)
    elif kind == "fax_poppler200":
        tiff(out := target.with_suffix(".tif"), [noisy(p, rng, 12) for p in poppler(pdf, 200)], 200)
    elif kind == "fax_gs200":
        out = target.with_suffix(".tif")
        subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffg4", "-r200", f"-sOutputFile={out}", str(pdf)], check=True)
    elif kind == "jpeg_in_pdf":
        image_pdf(out := target.with_suffix(".pdf"), [noisy(p, rng, 6) for p in poppler(pdf, 300)], 300, jpeg_quality=50)
    elif kind.startswith("turned"):
        turns = int(kind[6:]) // 90
        image_pdf(out := target.with_suffix(".pdf"), [np.ascontiguousarray(np.rot90(p, turns)) for p in poppler(pdf, 250)], 250)
    elif kind.startswith("skew"):
        degrees = 3.0 if "plus" in kind else -3.0
        image_pdf(out := target.with_suffix(".pdf"), [noisy(rotate(p, degrees), rng, 8) for p in ghostscript(pdf, 200)], 200, jpeg_quality=70)
    elif kind == "landscape":
        image_pdf(out := target.with_suffix(".pdf"), [landscape(p) for p in poppler(pdf, 300)], 300)
    elif kind == "landscape_turned":
        image_pdf(out := target.with_suffix(".pdf"), [np.ascontiguousarray(np.rot90(landscape(p), 1)) for p in poppler(pdf, 300)], 300)
    elif kind == "hairlines":
        image_pdf(out := target.with_suffix(".pdf"), [thin_rules(p) for p in poppler(pdf, 300)], 300)
    elif kind == "bent":
        image_pdf(out := target.with_suffix(".pdf"), [bent(p, rng, 300) for p in poppler(pdf, 300)], 300, jpeg_quality=85)
    elif kind == "lid_open":
        image_pdf(out := target.with_suffix(".pdf"), [lid_open(p, rng) for p in poppler(pdf, 300)], 300, jpeg_quality=75)
    elif kind in AUGRAPHY_KINDS:
        seed = int(rng.integers(1 << 30))
        image_pdf(out := target.with_suffix(".pdf"), augraphy(kind, poppler(pdf, 300), seed, AUGRAPHY_PYTHON), 300, jpeg_quality=85)
    elif kind == "stamp":  # a colour scanner's JPEG pages in a PDF
        image_pdf(out := target.with_suffix(".pdf"), [stamped(p, rng, 300) for p in poppler(pdf, 300)], 300, jpeg_quality=85)
    elif kind == "stamp_gray":  # the same scanned in grey: the seal is grey ink
        image_pdf(out := target.with_suffix(".pdf"), [cv2.cvtColor(stamped(p, rng, 300), cv2.COLOR_RGB2GRAY) for p in poppler(pdf, 300)], 300, jpeg_quality=85)
    elif kind in ("png16", "webp", "photo", "web100"):
        pages = poppler(pdf, 100 if kind == "web100" else 300)
        files = []
        for number, page in enumerate(pages, start=1):
            if kind == "photo":  # a phone's JPEG, no resolution in it
                Image.fromarray(photo(page, rng)).save(path := target.with_name(f"{target.name}.p{number}.jpg"), format="JPEG", quality=85)
            elif kind == "web100":  # a picture on a web page: no resolution in it
                Image.fromarray(page).save(path := target.with_name(f"{target.name}.p{number}.jpg"), format="JPEG", quality=80)
            elif kind == "png16":
                png(path := target.with_name(f"{target.name}.p{number}.png"), page, 300, sixteen=True)
            else:
                Image.fromarray(page).save(path := target.with_name(f"{target.name}.p{number}.webp"), format="WEBP", quality=80)
            files.append(path)
        return files
    else:
        raise ValueError(kind)
    return [out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "build" / "scans-dev")
    parser.add_argument("--kinds", default=",".join(KINDS + list(FONT_KINDS) + AUGRAPHY_KINDS))
    args = parser.parse_args()
    if shutil.which("gs") is None or shutil.which("pdftoppm") is None:
        raise SystemExit("needs Ghostscript (gs) and poppler-utils (pdftoppm)")
    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "manifest.json"
    kinds = args.kinds.split(",")
    if not AUGRAPHY_PYTHON.exists() and any(kind in AUGRAPHY_KINDS for kind in kinds):
        print(f"skipped {', '.join(k for k in kinds if k in AUGRAPHY_KINDS)}: no {AUGRAPHY_PYTHON} (make scan-corpus installs Augraphy there)")
        kinds = [kind for kind in kinds if kind not in AUGRAPHY_KINDS]
    manifest = [m for m in json.loads(manifest_path.read_text(encoding="utf-8"))] if manifest_path.exists() else []
    manifest = [m for m in manifest if m["kind"] not in kinds]
    for kind in kinds:
        rng = np.random.default_rng(sum(map(ord, kind)))
        folder = args.out / kind
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for half, sources in SOURCES.items():
            for source in sources:
                target = folder / source.replace("/", "__").removesuffix(".pdf")
                for path in make(kind, DUMP / source, target, rng):
                    page = int(path.suffixes[-2][2:]) if len(path.suffixes) > 1 and path.suffixes[-2].startswith(".p") else None
                    manifest.append({"file": str(path.relative_to(args.out)), "kind": kind, "source": source, "half": half, "page": page})
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")  # after each kind: a failing kind keeps those before
        print(kind, "done", flush=True)


if __name__ == "__main__":
    main()
