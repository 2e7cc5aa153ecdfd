"""Run ``skin apply``, ``skin train`` and ``background`` on a Dask cluster (``--distributed``).

Optional: needs ``pip install ".[distributed]"`` (``dask[distributed]``). Nothing here
is imported unless ``--distributed`` is given, and importing this package does not import
Dask; :mod:`segmix.distributed.cluster` does, when a job starts.

- :mod:`segmix.distributed.cluster`: connect to a scheduler or start a local cluster, run
  tasks with a progress bar, per-worker caches, the run record that makes reruns skip
  complete outputs.
- :mod:`segmix.distributed.skin_jobs`: ``skin apply`` (a few photos per task, read by path
  on the workers, the model read once per worker) and ``skin train`` (colour counts per
  shard of labelled photos, summed on the workers, EM once on the client).
- :mod:`segmix.distributed.background_jobs`: ``background`` over several sequences, one
  sequence per task, each written to its own folder and renamed into place when complete.
"""
