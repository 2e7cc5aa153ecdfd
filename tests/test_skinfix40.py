"""Session 40 (skinfix): skin detection's folder listings, tiny photos, all-128 masks in
training and where outputs record their photo."""

import os
import socket
import sys
import threading

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main
from tests.conftest import skin_photo


def _err_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if not line.startswith("segmix: compiling")]


def _run_with_deadline(argv, seconds=120.0):
    """main(argv) in a thread: a run that waits forever (a pipe opened for reading) fails the
    test instead of hanging it."""
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("status", main(argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{argv} did not finish in {seconds} s"
    return result["status"]


@pytest.mark.skipif(sys.platform == "win32", reason="pipes and Unix sockets in a folder")
def test_hidden_system_and_special_files_in_a_folder_are_named_once(tmp_path, capsys):
    """A Mac's .DS_Store and ._IMG_0001.jpg, Windows' Thumbs.db, a pipe and a socket named like
    photos beside a photo: skin apply left them out in silence (and waited forever on the
    pipe, opened to read its mark); now one note counts and names them."""
    photos = tmp_path / "photos"
    photos.mkdir()
    image, mask = skin_photo(np.random.default_rng(4))
    Image.fromarray(image).save(photos / "a.png")
    Image.fromarray(image).save(photos / "._IMG_0001.jpg")
    (photos / ".DS_Store").write_bytes(b"\0" * 8)
    (photos / "Thumbs.db").write_bytes(b"\0" * 8)
    os.mkfifo(photos / "pipe.png")
    server = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    try:
        os.chdir(photos)  # a Unix socket's path is short: bind it by its name
        server.bind("sock.jpg")
    finally:
        os.chdir(here)
    try:
        assert _run_with_deadline(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "o")]) == 0
        notes = [line for line in _err_lines(capsys) if "note" in line]
        assert notes == [f"segmix skin apply: note: ignored in {photos}: 3 hidden or system files (.DS_Store, "
                         "._IMG_0001.jpg, Thumbs.db), 2 pipes, sockets or other non-regular files (pipe.png, sock.jpg)"]
        assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["a_skin.png"]
        # skin eval and skin train say the same of their folders, once each.
        images, masks = tmp_path / "images", tmp_path / "masks"
        images.mkdir()
        masks.mkdir()
        Image.fromarray(image).save(images / "a.png")
        Image.fromarray(mask).save(masks / "a.png")
        (images / ".DS_Store").write_bytes(b"\0")
        (masks / "._a.png").write_bytes(b"\0")
        os.mkfifo(masks / "b.png")
        for command in (["eval"], ["train", "-o", str(tmp_path / "m.json"), "-k", "1", "--non-skin-components", "1"]):
            assert _run_with_deadline(["skin", *command, "--images", str(images), "--masks", str(masks)]) == 0
            notes = [line for line in _err_lines(capsys) if "left out of" in line]
            assert notes == [f"segmix skin {command[0]}: note: left out of {images}: 1 hidden or system file "
                             f"(.DS_Store); of {masks}: 1 hidden or system file (._a.png), 1 pipe, socket or other "
                             "non-regular file (b.png)"]
        # --quiet silences notes.
        assert _run_with_deadline(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 0
        assert not any("left out of" in line for line in _err_lines(capsys))
    finally:
        server.close()
