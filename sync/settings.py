"""The till's sync settings file, `sync.toml` (what it holds: `app.settings_file`, where it is
read, since the offline rules belong to the context every use case gets)."""

from app.settings_file import SETTINGS_FILE, SettingsError, read_section

__all__ = ["SETTINGS_FILE", "SettingsError", "read_section"]
