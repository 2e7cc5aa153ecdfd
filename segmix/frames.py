"""Frame sequences in: a folder of frames, a list of frame files, or a video file.

* Folders are read in natural order (``frame2`` before ``frame10``); only image files
  (by extension) are frames, anything else in the folder is ignored.
* Videos are decoded with PyAV (FFmpeg's libraries, shipped inside its wheels, so nothing
  is needed on the system; frames come straight out as RGB NumPy arrays, and a file FFmpeg
  cannot read is refused when it is opened). Video frames are named ``frame_000001``...
* Frames are RGB (H, W, 3) uint8; every frame must have the size of the first one.

Errors raise :class:`FrameError` (a ``ValueError``) naming the file. A frame of a folder or
list that cannot be decoded is reported through ``on_skip`` and skipped, so that one corrupt
file does not stop a long run; a video that breaks off mid-stream is reported the same way
and ends there.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Frame", "FrameError", "FrameReader", "FrameSequence", "IMAGE_SUFFIXES", "natural_key", "prefetch"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".gif")


class FrameError(ValueError):
    """A frame sequence that cannot be used; the message names the file or folder."""


@dataclass
class Frame:
    """One decoded frame: its 1-based position in the sequence, a name and the pixels."""

    index: int
    stem: str
    pixels: np.ndarray
    path: Path | None = None


def natural_key(name: str) -> list:
    """Sort key under which ``frame2`` comes before ``frame10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


class FrameSequence:
    """The frames of a folder, a list of image files, or a video file.

    Parameters
    ----------
    source : path or list of paths
        A folder of frames, a video file, or image files (in the given order).
    on_skip : callable(str), optional
        Told one line for every frame that is skipped (unreadable or corrupt).

    Attributes
    ----------
    kind : {"folder", "list", "video"}
    paths : list of Path
        The frame files (folder / list) or the video file.
    frame_count : int or None
        Number of frames if known up front (a video's header may not say).

    Raises
    ------
    FrameError
        Missing input, an empty folder, two frames with the same stem, a file that is
        neither an image nor a video FFmpeg can read.
    """

    def __init__(self, source, on_skip: Callable[[str], None] | None = None) -> None:
        self.on_skip = on_skip or (lambda message: None)
        items = [Path(p) for p in ([source] if isinstance(source, (str, Path)) else list(source))]
        if not items:
            raise FrameError("no input given")
        for path in items:
            if not path.exists():
                raise FrameError(f"{path}: no such file or folder")
        if len(items) == 1 and items[0].is_dir():
            self.kind = "folder"
            folder = items[0]
            self.paths = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
                                key=lambda p: natural_key(p.name))
            if not self.paths:
                raise FrameError(f"{folder}: the folder holds no image frames ({', '.join(IMAGE_SUFFIXES)})")
        elif len(items) == 1 and items[0].suffix.lower() not in IMAGE_SUFFIXES:
            self.kind = "video"
            self.paths = items
            self._probe_video(items[0])
        else:
            self.kind = "list"
            for path in items:
                if path.is_dir():
                    raise FrameError(f"{path}: is a folder; give one folder, one video, or image files")
                if path.suffix.lower() not in IMAGE_SUFFIXES:
                    raise FrameError(f"{path}: not an image file ({', '.join(IMAGE_SUFFIXES)}); "
                                     "give a video on its own")
            self.paths = items
        if self.kind != "video":
            self.frame_count = len(self.paths)
            seen: dict[str, Path] = {}
            for path in self.paths:
                if path.stem in seen:
                    raise FrameError(f"{path}: has the same name stem as {seen[path.stem]}; masks are named after stems")
                seen[path.stem] = path

    # ------------------------------------------------------------------ video
    def _probe_video(self, path: Path) -> None:
        import av

        if path.stat().st_size == 0:
            raise FrameError(f"{path}: the file is empty (0 bytes)")
        try:
            with av.open(str(path)) as container:
                if not container.streams.video:
                    raise FrameError(f"{path}: holds no video stream")
                stream = container.streams.video[0]
                self.frame_count = int(stream.frames) or None
        except FrameError:
            raise
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise FrameError(f"{path}: not a video file FFmpeg can read ({_short(exc)})") from None

    def _iter_video(self) -> Iterator[Frame]:
        import av

        path = self.paths[0]
        index = 0
        try:
            with av.open(str(path)) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                for decoded in container.decode(stream):
                    index += 1
                    yield Frame(index, f"frame_{index:06d}", decoded.to_ndarray(format="rgb24"), path)
        except (av.FFmpegError, OSError, ValueError) as exc:
            self.on_skip(f"{path}: decoding stopped after frame {index} ({_short(exc)})")

    # ------------------------------------------------------------------ images
    def _iter_images(self) -> Iterator[Frame]:
        from segmix.io import ImageLoadError, load_image

        for index, path in enumerate(self.paths, start=1):
            try:
                pixels = load_image(path)
            except ImageLoadError as exc:
                self.on_skip(f"skipped {exc}")
                continue
            yield Frame(index, path.stem, pixels, path)

    def __iter__(self) -> Iterator[Frame]:
        """Frames in order; raises FrameError at the first frame whose size differs."""
        size = None
        count = 0
        source = self._iter_video() if self.kind == "video" else self._iter_images()
        for frame in source:
            shape = frame.pixels.shape[:2]
            if size is None:
                size, first = shape, frame
            elif shape != size:
                where = frame.path if self.kind != "video" else f"{frame.path} frame {frame.index}"
                raise FrameError(f"{where}: frame is {shape[1]} x {shape[0]} but {first.stem} is "
                                 f"{size[1]} x {size[0]}; every frame must have the same size")
            count += 1
            yield frame
        if count == 0:
            raise FrameError(f"{self.paths[0] if self.kind == 'video' else self.paths[0].parent}: no readable frame")


def prefetch(frames: Iterable, depth: int = 4) -> Iterator:
    """Iterate ``frames`` on a helper thread, ``depth`` items ahead (decoding releases the
    GIL, so it overlaps with the caller's work). Exceptions are re-raised in the caller;
    closing the returned generator stops the helper."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work():
        try:
            for item in frames:
                while not stop.is_set():
                    try:
                        items.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put(("end", done))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            items.put(("error", exc))

    thread = threading.Thread(target=work, name="segmix-frame-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join(timeout=5)


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc).strip() or type(exc).__name__
    text = str(text).splitlines()[0]
    return text[:200]


class FrameReader:
    """Random access to the frames of a :class:`FrameSequence` (for playing and scrubbing).

    Folder and list frames are read by position. A video is decoded forward from where the
    last read stopped; reading an earlier frame reopens the file and decodes from the start
    (simple and exact; videos whose header lacks a frame count are counted once, by packets).
    Not thread-safe: use it from one thread (the window's compute thread).
    """

    def __init__(self, sequence: FrameSequence) -> None:
        self.sequence = sequence
        self._container = None
        self._frames = None
        self._next = 1
        if sequence.kind == "video" and not sequence.frame_count:
            sequence.frame_count = self._count_video_frames()

    def __len__(self) -> int:
        return int(self.sequence.frame_count or 0)

    def stem(self, index: int) -> str:
        if self.sequence.kind == "video":
            return f"frame_{index:06d}"
        return self.sequence.paths[index - 1].stem

    def _count_video_frames(self) -> int:
        import av

        path = self.sequence.paths[0]
        try:
            with av.open(str(path)) as container:
                stream = container.streams.video[0]
                return sum(1 for packet in container.demux(stream) if packet.size)
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise FrameError(f"{path}: cannot count the video's frames ({_short(exc)})") from None

    def read(self, index: int) -> np.ndarray:
        """(H, W, 3) uint8 RGB of frame ``index`` (1-based).

        Raises
        ------
        FrameError
            An index out of range, or a frame that cannot be decoded (names the file).
        """
        if not 1 <= index <= max(len(self), 1):
            raise FrameError(f"frame {index} is outside 1..{len(self)}")
        if self.sequence.kind != "video":
            from segmix.io import ImageLoadError, load_image

            try:
                return load_image(self.sequence.paths[index - 1])
            except ImageLoadError as exc:
                raise FrameError(str(exc)) from None
        import av

        path = self.sequence.paths[0]
        if self._frames is None or index < self._next:
            self.close()
            try:
                self._container = av.open(str(path))
                stream = self._container.streams.video[0]
                stream.thread_type = "AUTO"
                self._frames = self._container.decode(stream)
            except (av.FFmpegError, OSError, ValueError) as exc:
                raise FrameError(f"{path}: {_short(exc)}") from None
            self._next = 1
        try:
            while True:
                decoded = next(self._frames)
                self._next += 1
                if self._next - 1 == index:
                    return decoded.to_ndarray(format="rgb24")
        except StopIteration:
            self.close()
            raise FrameError(f"{path}: the video ends before frame {index}") from None
        except (av.FFmpegError, OSError, ValueError) as exc:
            self.close()
            raise FrameError(f"{path}: cannot decode frame {index} ({_short(exc)})") from None

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._frames = None
