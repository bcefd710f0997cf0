"""The class record: what a class asked and how the answers did (a database), the ratings students give, the
teacher's summary of it, and a student's session to take home. See docs/class-record.md."""

from __future__ import annotations

from ..settings import get_settings
from .entry import entry_of, error_kind, new_request_id
from .store import OFF, Entry, Record, check_admin, record_url
from .take_home import FORMATS, Journal, Step, export

__all__ = ["FORMATS", "OFF", "Entry", "Journal", "Record", "Step", "check_admin", "entry_of", "error_kind", "export",
           "new_request_id", "record_url"]


def open_record() -> Record:
    """The app's record, from the settings (PLAYGROUND_RECORD_URL, PLAYGROUND_DATA_DIR, PLAYGROUND_RECORD_CODE)."""
    settings = get_settings()
    return Record(record_url(settings.record_url, settings.data_path), keep_code=settings.record_code)
