"""Scanned pages: image preparation, ruling lines, OCR engines, a page image to a cell grid."""
