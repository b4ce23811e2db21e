"""Reading statements from files and records into `Statement` objects."""

from rag.ingest.files import load_paths
from rag.ingest.records import statement_from_record, unique_statements

__all__ = ["load_paths", "statement_from_record", "unique_statements"]
