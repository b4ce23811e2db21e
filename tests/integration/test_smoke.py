from __future__ import annotations

import pytest

from rag.service import Service

pytestmark = pytest.mark.slow


def test_haiti_question_is_answered_from_the_seed(sample_service: Service) -> None:
    answer = sample_service.ask(sample_service.query("What did Ruto say about Haiti?"))
    assert answer.answerable
    assert any(c.statement_id == "ruto-rubio-call" for c in answer.citations)
    for c in answer.citations:
        assert sample_service.get_statement(c.statement_id).text[c.start : c.end] == c.quote
