"""segmix: scribble segmentation and skin detection with colour Gaussian mixtures.

Importing this package is cheap on purpose: it must not import Qt or compile Numba
kernels, so that ``segmix --version`` and library users do not pay for either.
"""

__version__ = "0.2.0"
