"""The resource map: resources and incidents live on a Leaflet map in a web view.

Call :func:`prepare_web_engine` before the QApplication is created (see ``web_engine.py``).
"""

from supervisor_app.ui.map.view import MapView
from supervisor_app.ui.map.web_engine import prepare_web_engine

__all__ = ["MapView", "prepare_web_engine"]
