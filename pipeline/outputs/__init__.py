"""What a run writes: form JSON, analyst tables, the manifest, atomically."""
