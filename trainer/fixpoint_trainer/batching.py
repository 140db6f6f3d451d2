"""Batches of encoded rows, padded on the right (labels padded with -100)."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from fixpoint_trainer.loss_mask import IGNORE_INDEX, EncodedRow


class EncodedRows(Dataset[EncodedRow]):
    def __init__(self, rows: list[EncodedRow]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> EncodedRow:
        return self.rows[index]


def collate(rows: list[EncodedRow], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(row.input_ids) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for index, row in enumerate(rows):
        size = len(row.input_ids)
        ids[index, :size] = torch.tensor(row.input_ids)
        labels[index, :size] = torch.tensor(row.labels)
        mask[index, :size] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def make_loader(rows: list[EncodedRow], batch_size: int, pad_id: int, shuffle: bool,
                seed: int) -> DataLoader[Any]:
    generator = torch.Generator()
    generator.manual_seed(seed)
    return DataLoader(EncodedRows(rows), batch_size=batch_size, shuffle=shuffle,
                      generator=generator, collate_fn=lambda batch: collate(batch, pad_id))
