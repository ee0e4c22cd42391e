"""The desk's secrets (database passwords, channel credentials), never kept in plain text.

``open_secret_store`` picks where they live: environment variables (read-only, for service
accounts) over the OS keyring, or over an encrypted file when the machine has no keyring.
``database_url_with_password`` hands the engine a URL object carrying the password, which
never appears when the URL is printed or logged.
"""

from supervisor_app.secrets.base import SecretsError, SecretStore, SecretStoreReadOnly
from supervisor_app.secrets.chooser import LayeredStore, OpenedSecrets, open_secret_store
from supervisor_app.secrets.database import (
    InlinePassword,
    database_secret_name,
    database_url_with_password,
    has_inline_password,
    read_database_url,
    refuse_inline_password,
)
from supervisor_app.secrets.encrypted_file import (
    FILE_NAME,
    MINIMUM_PASSPHRASE_LENGTH,
    AskPassphrase,
    CorruptSecretsFile,
    EncryptedFileStore,
    PassphraseNeeded,
    PassphraseTooShort,
    WrongPassphrase,
)
from supervisor_app.secrets.environment import (
    DATABASE_PASSWORD_VARIABLE,
    PASSPHRASE_VARIABLE,
    SECRET_VARIABLE_PREFIX,
    EnvironmentStore,
    variable_for,
)
from supervisor_app.secrets.keyring_store import SERVICE, KeyringStore, KeyringUnavailable, open_keyring
from supervisor_app.secrets.names import CHANNEL_PREFIX, DATABASE_PREFIX, channel_secret_name, check_secret_name

__all__ = [
    "CHANNEL_PREFIX",
    "DATABASE_PASSWORD_VARIABLE",
    "DATABASE_PREFIX",
    "FILE_NAME",
    "MINIMUM_PASSPHRASE_LENGTH",
    "PASSPHRASE_VARIABLE",
    "SECRET_VARIABLE_PREFIX",
    "SERVICE",
    "AskPassphrase",
    "CorruptSecretsFile",
    "EncryptedFileStore",
    "EnvironmentStore",
    "InlinePassword",
    "KeyringStore",
    "KeyringUnavailable",
    "LayeredStore",
    "OpenedSecrets",
    "PassphraseNeeded",
    "PassphraseTooShort",
    "SecretStore",
    "SecretStoreReadOnly",
    "SecretsError",
    "WrongPassphrase",
    "channel_secret_name",
    "check_secret_name",
    "database_secret_name",
    "database_url_with_password",
    "has_inline_password",
    "open_keyring",
    "open_secret_store",
    "read_database_url",
    "refuse_inline_password",
    "variable_for",
]
