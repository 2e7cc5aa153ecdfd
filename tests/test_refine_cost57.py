"""--boundary-refine's help states its cost by photo size (session 57).

It said "about 1.4x the time" (a DAVIS frame's figure); a trial measured 2.4x the CPU time and
+380 MB on a 16 MP photo (14.6 against 6.0 CPU-s, 1.16 against 0.78 GB).
"""

import subprocess
import sys


def test_boundary_refine_help_gives_the_cost_at_16_megapixels():
    shown = subprocess.run([sys.executable, "-m", "segmix", "segment", "--help"], capture_output=True, text=True,
                           check=True).stdout
    words = " ".join(shown.split())
    start = words.index("--boundary-refine W after")
    text = words[start:words.index("--fill-holes", start)]
    assert "16 MP" in text and "MB" in text, text
    assert "about 1.4x the time" not in text
