"""Small synthetic photos and frames shared by tests of several files (a plain module, imported
by name: pytest puts ``tests/`` on the path through its conftest)."""

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


def colour_frames(n: int = 8, shape: tuple[int, int] = (24, 32)) -> list[np.ndarray]:
    """``n`` noisy colour frames (H, W, 3) uint8 of a still scene, a gradient of hues."""
    rng = np.random.default_rng(0)
    base = np.zeros((*shape, 3))
    base[..., 0] = np.linspace(40, 220, shape[1])[None, :]
    base[..., 1] = 120
    base[..., 2] = np.linspace(200, 60, shape[0])[:, None]
    return [np.clip(np.rint(base + rng.normal(0, 2, base.shape)), 0, 255).astype(np.uint8) for _ in range(n)]


def photo_mask_folders(tmp_path, masks):
    """``tmp_path/img`` with a random 20 x 24 photo ``p<i>.png`` per entry of ``masks`` and
    ``tmp_path/msk`` with its mask: an array saved as PNG, or bytes written as they are (a
    damaged file). Returns the two folders."""
    from PIL import Image

    images, mask_dir = tmp_path / "img", tmp_path / "msk"
    images.mkdir()
    mask_dir.mkdir()
    rng = np.random.default_rng(0)
    for i, mask in enumerate(masks):
        Image.fromarray(rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)).save(images / f"p{i}.png")
        if isinstance(mask, bytes):
            (mask_dir / f"p{i}.png").write_bytes(mask)
        else:
            Image.fromarray(mask).save(mask_dir / f"p{i}.png")
    return images, mask_dir


def damaged_jpeg(whole: bytes) -> bytes:
    """``whole`` (a baseline JPEG file) with one byte of its coded data changed where Pillow
    still decodes it and :func:`segmix.jpeg_scan.jpeg_damage` finds the damage: the kind of
    file a bad disk or transfer leaves, every marker in place."""
    import io

    from PIL import Image

    from segmix.jpeg_scan import jpeg_damage

    sos = whole.index(b"\xff\xda")
    start = sos + 2 + int.from_bytes(whole[sos + 2: sos + 4], "big")
    for step in range(60):
        at = start + (len(whole) - 2 - start) * (step + 5) // 80
        damaged = bytearray(whole)
        if damaged[at] == 0xFF or damaged[at - 1] == 0xFF or damaged[at] ^ 0x5A == 0xFF:
            continue
        damaged[at] ^= 0x5A
        try:
            Image.open(io.BytesIO(bytes(damaged))).load()
        except OSError:
            continue
        if jpeg_damage(bytes(damaged)):
            return bytes(damaged)
    raise AssertionError("no place gave a damage Pillow decodes")


def moving_square_frames(count: int, size=(48, 32), *, seed: int = 37, noise: float = 2.0, rows=(10, 18),
                         start: int = 2, step: int = 3, side: int = 8) -> list[np.ndarray]:
    """A smooth still scene (colour ramps) with sensor noise and a dark square moving right.

    (H, W, 3) uint8 frames of ``size`` = (width, height); the square covers ``rows`` and the
    columns ``start + step * i`` to ``start + step * i + side`` in frame ``i``.
    """
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    scene = np.stack([60 + 120 * x / width, 80 + 90 * y / height, 140 - 60 * x / width + 30 * y / height], -1)
    frames = []
    for i in range(count):
        frame = scene + rng.normal(0, noise, scene.shape)
        left = start + step * i
        frame[rows[0]:rows[1], left:left + side] = (30, 30, 30)
        frames.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
    return frames


def moving_square_truths(count: int, size=(48, 32), *, rows=(10, 18), start: int = 2, step: int = 3,
                         side: int = 8) -> list[np.ndarray]:
    """The ground truth of :func:`moving_square_frames` with the same geometry: (H, W) uint8,
    255 on the square, 0 elsewhere."""
    width, height = size
    truths = []
    for i in range(count):
        truth = np.zeros((height, width), np.uint8)
        left = start + step * i
        truth[rows[0]:rows[1], left:left + side] = 255
        truths.append(truth)
    return truths


def timed_square_clip(path, stamps_ms, size=(104, 40)):
    """An H.264 MP4 at ``path`` of :func:`moving_square_frames` (seed 44, rows 4..12, noise 1)
    whose pictures are shown at ``stamps_ms`` (a variable frame rate when they are uneven), and
    each picture's ground truth. Raises whatever PyAV raises when it cannot encode H.264."""
    from fractions import Fraction

    import av

    n = len(stamps_ms)
    frames = moving_square_frames(n, size, seed=44, rows=(4, 12), start=2, step=3, noise=1.0)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"bf": "0", "threads": "1", "crf": "10"}
        stream.codec_context.time_base = Fraction(1, 1000)
        for stamp, frame in zip(stamps_ms, frames):
            picture = av.VideoFrame.from_ndarray(frame, format="rgb24")
            picture.pts, picture.time_base = stamp, Fraction(1, 1000)
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path, moving_square_truths(n, size, rows=(4, 12), start=2, step=3)
