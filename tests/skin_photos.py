"""Small synthetic photos shared by the skin tests (plain module, imported by name: pytest puts
``tests/`` on the path through its conftest)."""

import numpy as np

SKIN = np.array((224, 172, 150.0))
GREEN = np.array((40, 110, 60.0))


def textured_photo() -> np.ndarray:
    """(96, 128, 3) uint8: skin-coloured left, green right, a skin -> green ramp and a grainy
    skin-coloured patch (where the detector's texture cue works)."""
    rng = np.random.default_rng(0)
    height, width = 96, 128
    image = np.empty((height, width, 3))
    image[:, : width // 2], image[:, width // 2:] = SKIN, GREEN
    image[60:, 70:] = SKIN * 0.9 + rng.normal(0, 25, (height - 60, width - 70, 1))
    t = np.linspace(0, 1, width)[:, None]
    image[40:60] = (SKIN * (1 - t) + GREEN * t)[None]
    return np.clip(np.round(image + rng.normal(0, 6, image.shape)), 0, 255).astype(np.uint8)
