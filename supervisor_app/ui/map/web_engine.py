"""Getting Qt WebEngine ready for the resource map, before the desk's QApplication exists.

Two things must happen before Chromium starts inside the process:

- the map's URL scheme (``deskmap:``) is registered, so the page, its bundled scripts and local
  tiles load from the desk itself as a secure origin, with no network;
- on Linux as root, Chromium's sandbox is switched off (it refuses to start otherwise), and on the
  offscreen platform (tests, benchmarks) the GPU is not used.

:func:`prepare_web_engine` does both and is safe to call more than once. The desk calls it before
creating its QApplication (``ui/app.py``); the map's tests call it from their conftest, which
pytest imports before its ``qapp`` fixture creates the application. Chromium itself starts only
when the first web page or profile is made, so a late call still works as long as no web page
exists yet; :func:`scheme_registered` tells whether it happened.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWebEngineCore import QWebEngineUrlScheme

log = logging.getLogger(__name__)

MAP_SCHEME = b"deskmap"
_FLAGS_VARIABLE = "QTWEBENGINE_CHROMIUM_FLAGS"


def _add_chromium_flag(flag: str) -> None:
    flags = os.environ.get(_FLAGS_VARIABLE, "").split()
    if flag not in flags:
        os.environ[_FLAGS_VARIABLE] = " ".join([*flags, flag])


def configure_environment() -> None:
    """Environment Chromium reads when it starts: no sandbox as root, no GPU offscreen."""
    running_as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if running_as_root:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    if running_as_root or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        _add_chromium_flag("--disable-gpu")


def scheme_registered() -> bool:
    return bytes(QWebEngineUrlScheme.schemeByName(MAP_SCHEME).name().data()) == MAP_SCHEME


def register_map_scheme() -> None:
    """``deskmap://<site>/<path>``: a secure, local origin whose requests the map's handler answers."""
    if scheme_registered():
        return
    scheme = QWebEngineUrlScheme(MAP_SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    flag = QWebEngineUrlScheme.Flag
    scheme.setFlags(flag.SecureScheme | flag.LocalAccessAllowed | flag.CorsEnabled | flag.ContentSecurityPolicyIgnored)
    QWebEngineUrlScheme.registerScheme(scheme)


def prepare_web_engine() -> None:
    """Call before the QApplication is created (see module doc); harmless if called again."""
    configure_environment()
    if QCoreApplication.instance() is None:
        # Lets Qt WebEngine share the widgets' OpenGL context; only settable before the application.
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    register_map_scheme()
