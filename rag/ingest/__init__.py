"""Reading statements from files and records into `Statement` objects."""

from rag.ingest.files import load_paths, load_upload
from rag.ingest.formats import SUPPORTED
from rag.ingest.records import statement_from_record, unique_statements

__all__ = ["SUPPORTED", "load_paths", "load_upload", "statement_from_record", "unique_statements"]
