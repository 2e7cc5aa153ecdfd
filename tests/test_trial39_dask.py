"""Session 39's trial of ``--distributed`` on a scheduler started by hand (``dask scheduler``,
``dask worker`` in other folders and environments, killed, restarted and added mid-run, one of
an older segmix): the faults it found.

One 2-process local cluster serves the module (``client`` / ``address`` of tests/conftest.py);
the commands connect to it by address, as to a real scheduler.
"""


import numpy as np
import pytest
from PIL import Image

pytest.importorskip("distributed")

from segmix.cli import main  # noqa: E402
from segmix.distributed import cluster  # noqa: E402


# ------------------------------------------------------------ malformed scheduler addresses
@pytest.mark.parametrize("address, why", [
    ("tcp://127.0.0.1", "no port"),                  # was "missing port number in address '127.0.0.1'"
    ("tcp://127.0.0.1:8786/", "its port is no number"),  # was "invalid literal for int() with base 10: '8786/'"
    ("tls://scheduler:x", "its port is no number"),
    ("tcp://127.0.0.1:99999", "port 99999 is out of range, 1 to 65535"),  # was "connection refused"
])
def test_a_malformed_address_is_named_with_the_form_to_give(address, why):
    with pytest.raises(ValueError) as caught:
        cluster.probe_scheduler(address, timeout=1)
    scheme = address.split("://")[0]
    assert str(caught.value) == (f"--distributed {address}: not a scheduler address ({why}); give {scheme}://HOST:PORT, "
                                 "the address `dask scheduler` prints (port 8786 by default)")


@pytest.mark.parametrize("command", [["skin", "apply", "PHOTOS", "--output-dir", "OUT"],
                                     ["background", "PHOTOS", "--output-dir", "OUT"]])
def test_a_command_given_a_malformed_address_says_one_line_and_writes_nothing(command, tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(np.full((12, 16, 3), 90 + i, np.uint8)).save(photos / f"f{i}.png")
    out = tmp_path / "out"
    argv = [str(photos) if word == "PHOTOS" else str(out) if word == "OUT" else word for word in command]
    assert main([*argv, "--distributed", "tcp://127.0.0.1:8786/"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"segmix {' '.join(command[:2]) if command[0] == 'skin' else command[0]}: error: --distributed "
                       "tcp://127.0.0.1:8786/: not a scheduler address (its port is no number); give tcp://HOST:PORT, "
                       "the address `dask scheduler` prints (port 8786 by default)"), err
    assert not out.exists()
