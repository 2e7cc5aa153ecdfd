"""Files and folders the user may not read or write: one line naming the file, exit 2, found
before the work (a new-user trial as an unprivileged user found a segmentation computed for
30 s and then refused with a temporary file's name, "[Errno 13] Permission denied:
'out/.m.png.l0o53ifp.tmp'", after the mask was written; an unreadable photo called "corrupt
or truncated"). The suite runs as root in CI, where every file is readable and writable, so
the permission answer (os.access) is what is simulated here; the refusal is real."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import save_labels


@pytest.fixture
def deny(monkeypatch):
    """deny(path, mode): os.access answers False for ``path`` when asked for ``mode``."""
    real = os.access
    denied = {}

    def access(path, mode, *args, **kwargs):
        key = Path(path).resolve()
        if key in denied and mode & denied[key]:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)

    def add(path, mode):
        denied[Path(path).resolve()] = mode
    return add


@pytest.fixture
def photo(tmp_path):
    rng = np.random.default_rng(0)
    image = np.full((30, 40, 3), (40, 70, 180), np.uint8)
    image[8:22, 10:30] = (230, 140, 30)
    image = np.clip(image + rng.integers(-6, 7, image.shape), 0, 255).astype(np.uint8)
    Image.fromarray(image).save(tmp_path / "photo.png")
    labels = np.zeros((30, 40), np.uint8)
    labels[14:16, 12:28] = 1
    labels[2, :] = 2
    save_labels(tmp_path / "labels.png", labels)
    return tmp_path / "photo.png", tmp_path / "labels.png"


def _error(capsys, code, command):
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "Errno" not in err and ".tmp" not in err
    assert err.startswith(f"segmix {command}: error:")
    return err


def test_unreadable_photo_is_not_called_corrupt(photo, deny, capsys, tmp_path):
    image, labels = photo
    deny(image, os.R_OK)
    err = _error(capsys, main(["segment", str(image), "--scribbles", str(labels), "-o", str(tmp_path / "m.png")]),
                 "segment")
    assert "photo.png: cannot be read (permission denied)" in err
    assert not (tmp_path / "m.png").exists()


def test_unwritable_output_folder_is_refused_before_the_work(photo, deny, capsys, tmp_path):
    image, labels = photo
    locked = tmp_path / "locked"
    locked.mkdir()
    deny(locked, os.W_OK)
    for extra, named in ((["-o", str(locked / "m.png")], "m.png"),
                         (["-o", str(tmp_path / "m.png"), "--probability", str(locked / "p.png")], "p.png")):
        err = _error(capsys, main(["segment", str(image), "--scribbles", str(labels), *extra]), "segment")
        assert f"{named}: cannot write in the folder" in err and "permission denied" in err
        assert not (tmp_path / "m.png").exists()  # the mask is not left behind either
    err = _error(capsys, main(["quantize", str(image), "-k", "2", "-o", str(locked / "q.png")]), "quantize")
    assert "q.png: cannot write in the folder" in err


def test_unwritable_output_dir_of_the_batch_commands(photo, deny, capsys, tmp_path):
    image, _ = photo
    locked = tmp_path / "locked"
    locked.mkdir()
    deny(locked, os.W_OK)
    err = _error(capsys, main(["skin", "apply", str(image), "--output-dir", str(locked / "new")]), "skin apply")
    assert "new: cannot create it in" in err
    err = _error(capsys, main(["skin", "apply", str(image), "--output-dir", str(locked)]), "skin apply")
    assert "locked: cannot write in it" in err
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(3):
        Image.fromarray(np.full((4, 4, 3), 10 * t, np.uint8)).save(frames / f"f{t}.png")
    err = _error(capsys, main(["background", str(frames), "--output-dir", str(locked / "masks"), "--quiet"]),
                 "background")
    assert "masks: cannot create it in" in err
    assert list(locked.iterdir()) == []


def test_python_os_errors_are_worded_like_the_others():
    # What Python raises itself ("[Errno 13] Permission denied: 'x'") reads "x: permission
    # denied"; segmix's own messages (no errno) are kept as written.
    from segmix.cli import _error_line

    assert _error_line(PermissionError(13, "Permission denied", "out/sub")) == "out/sub: permission denied"
    assert _error_line(PermissionError("out/m.png: cannot write in the folder out (permission denied)")) == \
        "out/m.png: cannot write in the folder out (permission denied)"
    assert _error_line(ValueError("photo.png: no such file")) == "photo.png: no such file"


def test_a_read_only_output_file_is_not_replaced(photo, deny, capsys, tmp_path):
    """The atomic write's rename replaced a file the user had made read-only (the folder's
    permission is what a rename needs): refused by name, before the work, nothing changed."""
    image, labels = photo
    kept = tmp_path / "kept.png"
    kept.write_bytes(b"the user's file")
    deny(kept, os.W_OK)
    for argv, command in ((["segment", str(image), "--scribbles", str(labels), "-o", str(kept)], "segment"),
                          (["segment", str(image), "--scribbles", str(labels), "-o", str(tmp_path / "m.png"),
                            "--cutout", str(kept)], "segment"),
                          (["quantize", str(image), "-k", "2", "-o", str(kept)], "quantize")):
        err = _error(capsys, main(argv), command)
        assert "kept.png: the file exists and is read-only" in err
        assert kept.read_bytes() == b"the user's file" and not (tmp_path / "m.png").exists()


def test_a_file_chmod_444_is_kept_even_for_root(photo, capsys, tmp_path):
    """A new-user trial ran as root (as containers and CI do): os.access grants root every
    write, so `chmod 444 keep.png` was replaced by `segment -o keep.png`. The mode bits say
    what the user asked for; this test uses a real chmod, not a simulated answer."""
    image, labels = photo
    kept = tmp_path / "keep.png"
    kept.write_bytes(b"the user's file")
    kept.chmod(0o444)
    try:
        for argv, command in ((["segment", str(image), "--scribbles", str(labels), "-o", str(kept)], "segment"),
                              (["quantize", str(image), "-k", "2", "-o", str(kept)], "quantize")):
            err = _error(capsys, main(argv), command)
            assert "keep.png: the file exists and is read-only" in err
            assert kept.read_bytes() == b"the user's file"
        out = tmp_path / "skin"
        out.mkdir()
        mask = out / "photo_skin.png"
        _earlier_mask(mask)  # skin apply's own: another file is refused before
        before = mask.read_bytes()
        mask.chmod(0o444)
        code = main(["skin", "apply", str(image), "--output-dir", str(out)])
        assert code != 0
        assert "read-only" in capsys.readouterr().err
        assert mask.read_bytes() == before
    finally:
        kept.chmod(0o644)


def test_a_refused_output_is_named_once_not_after_its_photo(photo, capsys, tmp_path, monkeypatch):
    """A trial ran `skin apply photo.jpg --output-dir ro` over a chmod-444 ro/photo_skin.png and
    read "photo.jpg: ro/photo_skin.png: the file exists and is read-only ...": the photo's name
    was put before a message that already named the file at fault. One line, one file."""
    image, _ = photo
    monkeypatch.chdir(tmp_path)
    Path("photo.png").write_bytes(Path(image).read_bytes())
    Path("ro").mkdir()
    mask = Path("ro") / "photo_skin.png"
    _earlier_mask(mask)  # skin apply's own: another file is refused before
    before = mask.read_bytes()
    mask.chmod(0o444)
    try:
        assert main(["skin", "apply", "photo.png", "--output-dir", "ro", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.splitlines() == [
            "segmix skin apply: error: ro/photo_skin.png: the file exists and is read-only (permission denied); "
            "give another name or make it writable"]
        assert mask.read_bytes() == before
    finally:
        mask.chmod(0o644)


def test_failure_line_names_each_file_once():
    """The rule every batch uses for a failed input's line (skin apply, and --distributed's
    skin apply, skin train and background tasks)."""
    from segmix.io import failure_line

    # A message naming the output: not prefixed with the photo.
    output_error = PermissionError("ro/photo_skin.png: the file exists and is read-only (permission denied)")
    assert failure_line(output_error, "photo.jpg", "ro/photo_skin.png") == str(output_error)
    # A message naming the photo itself (an ImageLoadError): as it is.
    assert failure_line(ValueError("photo.jpg: not an image"), "photo.jpg") == "photo.jpg: not an image"
    # A message naming no file: the photo's name in front.
    assert failure_line(ValueError("no skin pixels"), "photo.jpg", "o/photo_skin.png") == "photo.jpg: no skin pixels"
    # Python's own OSError: "FILE: reason", like every other line, not "[Errno 13] ...: 'FILE'".
    errno_error = PermissionError(13, "Permission denied", "o/photo_skin.png")
    assert failure_line(errno_error, "photo.jpg", "o/photo_skin.png") == "o/photo_skin.png: permission denied"
    assert failure_line(errno_error, "photo.jpg") == "o/photo_skin.png: permission denied"


def _earlier_mask(path) -> None:
    """A mask an earlier ``skin apply`` wrote (it carries the command's mark)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    from segmix.skin import OUTPUT_MARK

    info = PngInfo()
    info.add_text(*OUTPUT_MARK)
    Image.new("L", (4, 4)).save(path, pnginfo=info)
