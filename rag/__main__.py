"""`python -m rag`: the `rag` command."""

import sys

from rag.interfaces.cli import main

sys.exit(main())
