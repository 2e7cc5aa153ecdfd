"""The segmix desktop app: the only package that imports PySide6.

Modules, one job each:

- ``app``          create the QApplication and the main window (``run_app``)
- ``main_window``  menus, docks, file handling, wiring of everything below
- ``canvas``       ``ScribbleCanvas``: the zoomable photo view the user paints on
- ``scribbles``    Qt-free label layer and stroke diffs (what undo stores)
- ``commands``     QUndoCommands applying stroke diffs
- ``worker``       the single compute thread (segmentation and skin models: train, apply);
                   imports the engine itself, so the window paints before Numba loads
- ``overlay``      Qt-free rendering of masks / posteriors to RGBA arrays
- ``panels``       dock widgets: tools, overlay, model, training progress, skin mode
- ``qimage``       numpy <-> QImage conversions (buffer ownership handled here)
- ``files``        reading and writing files through ``segmix.io``
"""
