"""The segmix desktop app: the only package that imports PySide6.

Modules, one job each:

- ``app``          create the QApplication and the main window (``run_app``)
- ``main_window``  the shell: menus, canvas, file handling, settings, status bar, the
                   compute thread; everything mode-specific is delegated to ``modes``
- ``modes``        one controller per mode (``segment``, ``skin``) with its docks, actions,
                   jobs, results and exports; ``modes.base.Mode`` is the interface, and
                   ``modes.MODES`` the registry (a new mode = a module + one line there)
- ``canvas``       ``ScribbleCanvas``: the zoomable photo view the user paints on
- ``scribbles``    Qt-free label layer and stroke diffs (what undo stores)
- ``commands``     QUndoCommands applying stroke diffs
- ``worker``       the single compute thread (segmentation and skin models: train, apply;
                   a mode's own jobs through ``request_call``);
                   imports the engine itself, so the window paints before Numba loads
- ``overlay``      Qt-free rendering of masks / posteriors to RGBA arrays
- ``panels``       the dock widgets every mode shares: scribble tools, overlay display
- ``qimage``       numpy <-> QImage conversions (buffer ownership handled here)
- ``files``        reading and writing files through ``segmix.io``
- ``notices``      Python warnings to the status bar instead of stderr
"""
