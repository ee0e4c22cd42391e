"""Accounts: administrators add people, set passwords, disable, enable and unlock accounts."""

from supervisor_app.ui.accounts.view import AccountsView

__all__ = ["AccountsView"]
