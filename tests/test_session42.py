"""Session 42's own fixes (the helpers' are in tests/test_*42*.py)."""
from __future__ import annotations

import time

import numpy as np
from PIL import Image

from segmix.cli import main


def _noise_photo(path):
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, (20, 30, 3), dtype=np.uint8)).save(path)


def test_quantize_says_when_k_means_runs_long_although_the_size_did_not_predict_it(tmp_path, capsys, monkeypatch):
    """A new user's -k 300 ran 19 s with nothing said: 120,000 noise colours into 300 is under
    the size that announces a long k-means, but its iterations were slow. A note now comes
    once k-means has run SLOW_QUANTIZE_SECONDS, whatever the size, on a terminal."""
    import segmix.cli as cli
    import segmix.quantize as quantize

    class SlowKMeans(quantize.KMeans):
        def fit(self, *a, **k):
            time.sleep(0.6)
            return super().fit(*a, **k)

    _noise_photo(tmp_path / "p.png")
    args = ["quantize", str(tmp_path / "p.png"), "-k", "50", "-o", str(tmp_path / "q.png"), "--overwrite"]
    monkeypatch.setattr(quantize, "KMeans", SlowKMeans)
    monkeypatch.setattr(cli, "SLOW_QUANTIZE_SECONDS", 0.05)
    # Not on a terminal (a script, a log): no note, whose coming would depend on the load.
    assert main(args) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"segmix quantize: note: {tmp_path / 'p.png'}: 600 distinct colours into 50: k-means is still at "
                   "work after 0.05 s (it can take half a minute; a smaller -k is faster)"], err
    # --quiet: no note; a run that ends before the time: none either, not even later.
    assert main([*args, "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    # Compiled by now, k-means on 600 colours takes milliseconds: its timer is cancelled.
    monkeypatch.setattr(quantize, "KMeans", SlowKMeans.__mro__[1])
    monkeypatch.setattr(cli, "SLOW_QUANTIZE_SECONDS", 2.0)
    assert main(args) == 0
    time.sleep(2.3)
    assert capsys.readouterr().err == ""
