"""The embedding model's own tokenizer: how many word pieces a text is, and batches of ids.

Every encoder of a BERT sentence model (plain torch, OpenVINO) feeds it the same way, as
sentence-transformers does: stripped texts, longest first so that each batch pads little,
at most `limit` word pieces ([CLS] and [SEP] included; longer texts are truncated). Chunking
asks `count` so that no passage is ever truncated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


class WordPieces:
    def __init__(self, model_dir: Path, pad_to_multiple_of: int | None = None) -> None:
        """`pad_to_multiple_of`: round each batch's length up to a multiple of this many word
        pieces (fewer distinct shapes; None pads to the longest text of the batch)."""
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        bert = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.limit = int(bert["max_seq_length"])
        """Word pieces the model reads at most, [CLS] and [SEP] included."""
        self._counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.limit)
        pad = self._tokenizer.token_to_id("[PAD]") or int(config.get("pad_token_id", 0))
        self._tokenizer.enable_padding(
            pad_id=pad, pad_token="[PAD]", pad_to_multiple_of=pad_to_multiple_of
        )

    def count(self, text: str) -> int:
        """Word pieces of `text` as embedded ([CLS] and [SEP] included), untruncated."""
        return len(self._counter.encode(text.strip()).ids)

    def offsets(self, text: str) -> tuple[list[int], list[int]]:
        """Where each word piece of `text` starts and ends (characters), specials left out:
        one pass over a whole statement, so that spans of it are counted without
        tokenising them again."""
        encoding = self._counter.encode(text, add_special_tokens=False)
        return [a for a, _ in encoding.offsets], [b for _, b in encoding.offsets]

    def batches(
        self, texts: Sequence[str], batch_size: int
    ) -> Iterator[tuple[list[int], NDArray[np.int64], NDArray[np.int64]]]:
        """(rows of `texts`, input ids, attention mask) per batch, longest texts first."""
        stripped = [t.strip() for t in texts]
        order = sorted(range(len(stripped)), key=lambda i: -len(stripped[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = self._tokenizer.encode_batch([stripped[i] for i in rows])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            yield rows, ids, mask
