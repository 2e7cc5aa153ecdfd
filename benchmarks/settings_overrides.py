"""``--set key=value`` options of the segmentation benchmarks, typed like the defaults."""

from __future__ import annotations


def parse_overrides(pairs: list[str]) -> dict:
    """``key=value`` strings -> SegmentationSettings overrides, typed like the defaults."""
    from segmix.segment import SegmentationSettings

    defaults = SegmentationSettings()
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not hasattr(defaults, key):
            raise SystemExit(f"--set: SegmentationSettings has no field {key!r}")
        current = getattr(defaults, key)
        if isinstance(current, bool):
            out[key] = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(current, int):
            out[key] = int(value)
        elif isinstance(current, float):
            out[key] = float(value)
        else:
            out[key] = value
    return out
