"""scikit-learn's estimator protocol for the mixture estimators: get_params, set_params, repr.

With it, ``sklearn.base.clone``, ``GridSearchCV`` and pipelines take segmix's GaussianMixture
and KMeans as they take scikit-learn's, and a repr names the settings that differ from the
defaults (``GaussianMixture(n_components=3, random_state=0)``), as scikit-learn prints them.
The protocol is scikit-learn's (the "Developing scikit-learn estimators" guide): every
``__init__`` argument is stored unchanged under its own name, so the parameters are read from
the signature.
"""

from __future__ import annotations

import inspect

import numpy as np


class ParamsMixin:
    """get_params / set_params / __repr__ from the ``__init__`` signature, and the tags
    scikit-learn (1.6 and later) asks of an estimator it clones or searches over."""

    #: scikit-learn's estimator kind ("density_estimator", "clusterer"), read by its tags.
    _estimator_type: str = ""

    #: scikit-learn's parameters this estimator does not take, each with what to do instead:
    #: a script written for scikit-learn's estimator (``init_params="random_from_data"``,
    #: ``warm_start=True``) met Python's "got an unexpected keyword argument", which says
    #: neither that segmix's name differs nor what stands in for it (a library trial).
    _sklearn_only: dict[str, str] = {}

    def __new__(cls, *args, **kwargs):
        # Before __init__, whose signature would only say "unexpected keyword argument".
        _refuse_sklearn_only(cls, kwargs, TypeError)
        return super().__new__(cls)

    def __sklearn_tags__(self):
        # Called by scikit-learn only, so it is installed whenever this runs; segmix itself
        # does not depend on it.
        from sklearn.utils import Tags, TargetTags, TransformerTags

        return Tags(estimator_type=self._estimator_type or None, target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags() if hasattr(self, "transform") else None)

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(name for name, p in signature.parameters.items()
                      if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self, deep: bool = True) -> dict:
        """The estimator's parameters, ``{name: value}`` (``deep`` is accepted for scikit-learn;
        these estimators hold no sub-estimators)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set parameters by name and return self.

        Raises
        ------
        ValueError
            For a name that is not a parameter of this estimator (scikit-learn's message).
            Values are checked when the estimator is fitted, as in scikit-learn.
        """
        valid = self._param_names()
        _refuse_sklearn_only(type(self), params, ValueError)
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                                 f"Valid parameters are: {valid!r}.")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()}
        shown = []
        for name in defaults:
            if name == "self" or not hasattr(self, name):
                continue
            value = getattr(self, name)
            if not _same(value, defaults[name]):
                shown.append(f"{name}={_short(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"


def _refuse_sklearn_only(cls, params: dict, error: type) -> None:
    """Raise ``error`` naming each of scikit-learn's parameters in ``params`` that ``cls``
    does not take, with what to do instead (``cls._sklearn_only``)."""
    given = [name for name in params if name in cls._sklearn_only]
    if given:
        raise error(f"{cls.__name__} has no parameter "
                    + "; no parameter ".join(f"{name} (scikit-learn's): {cls._sklearn_only[name]}" for name in given))


def _same(value, default) -> bool:
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        return False
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):
        return False


def _short(value) -> str:
    # An init array of a few thousand numbers would drown the rest.
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"array(shape={value.shape})"
    return repr(value)
