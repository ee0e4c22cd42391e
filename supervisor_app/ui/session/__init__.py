"""Who is at the desk: signing in, locking an idle desk, unlocking, and handing over a shift."""

from supervisor_app.ui.session.controller import DeskSessionController
from supervisor_app.ui.session.idle import IdleWatcher
from supervisor_app.ui.session.lock_screen import LockScreen
from supervisor_app.ui.session.sign_in_dialog import SignInDialog
from supervisor_app.ui.session.sign_in_form import SignInForm

__all__ = ["DeskSessionController", "IdleWatcher", "LockScreen", "SignInDialog", "SignInForm"]
