"""The desk's user interface: the only package that imports PySide6.

``app.run_desk`` starts the desk; ``main_window.MainWindow`` assembles the views (one package per
view, each a ``view_base.DeskView``); ``runner.Runner`` keeps database work off the UI thread.
"""
