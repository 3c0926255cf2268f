"""Refitting the stance model's head on a frozen encoder (``train-stance --head-epochs``).

Fine-tuning the adapters on a CPU costs about 30 minutes per 10,000 pairs; the head alone
trains in seconds once every text and proposition is embedded. So after (or instead of) the
adapter epochs the encoder is frozen, one epoch's mixture and the dev sets are embedded once,
and the two-layer head is trained for ``head_epochs`` passes over the cached features,
keeping the pass with the best mean dev macro-F1. Only torch and numpy are imported.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from stancewatch.stance.net import StanceNet
from stancewatch.stance.training_data import Pair

BATCH = 128


@torch.no_grad()
def pair_features(
    net: StanceNet,
    tokenize: Callable[[Sequence[str], int], dict[str, torch.Tensor]],
    pairs: Sequence[Pair],
    lengths: tuple[int, int],
) -> torch.Tensor:
    """``[u, v, |u - v|, u * v]`` for each pair, each distinct text embedded once."""
    net.eval()
    vectors: dict[tuple[str, int], torch.Tensor] = {}
    for texts, length in (
        ([p.text for p in pairs], lengths[0]),
        ([p.hypothesis for p in pairs], lengths[1]),
    ):
        todo = sorted(dict.fromkeys(texts), key=len)  # similar lengths pad alike
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            enc = tokenize(chunk, length)
            for text, vec in zip(
                chunk, net.embed(enc["input_ids"], enc["attention_mask"]), strict=True
            ):
                vectors[(text, length)] = vec.float().cpu()
    u = torch.stack([vectors[(p.text, lengths[0])] for p in pairs])
    v = torch.stack([vectors[(p.hypothesis, lengths[1])] for p in pairs])
    return torch.cat([u, v, (u - v).abs(), u * v], dim=-1)


def refit_head(
    net: StanceNet,
    train_x: torch.Tensor,
    train_y: torch.Tensor,
    dev: dict[str, tuple[torch.Tensor, list[int]]],
    *,
    epochs: int,
    lr: float,
    seed: int,
    score: Callable[[list[int], list[int]], float],
    log: Callable[[str], None] = print,
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Train ``net.head`` on cached features; leaves the pass with the best mean dev score
    in ``net.head`` and returns its dev scores and the per-pass history."""
    torch.manual_seed(seed)
    order = random.Random(seed)
    head = net.head
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=0.01)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.05)

    def evaluate() -> dict[str, float]:
        head.eval()
        with torch.no_grad():
            out = {k: round(score(y, head(x).argmax(-1).tolist()), 4) for k, (x, y) in dev.items()}
        head.train()
        return out

    best_scores = evaluate()
    best_state = copy.deepcopy(head.state_dict())
    best_mean = float(np.mean(list(best_scores.values()))) if best_scores else -1.0
    history: list[dict[str, Any]] = [{"head_epoch": 0, **best_scores}]
    log(f"head refit, before: dev {best_scores}")
    head.train()
    index = list(range(len(train_y)))
    for epoch in range(1, epochs + 1):
        order.shuffle(index)
        for start in range(0, len(index), BATCH):
            rows = torch.tensor(index[start : start + BATCH])
            loss = loss_fn(head(train_x[rows]), train_y[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
        scores = evaluate()
        history.append({"head_epoch": epoch, **scores})
        log(f"head epoch {epoch}: dev {scores}")
        mean = float(np.mean(list(scores.values()))) if scores else float(epoch)
        if mean > best_mean:
            best_mean, best_scores = mean, scores
            best_state = copy.deepcopy(head.state_dict())
    head.load_state_dict(best_state)
    head.eval()
    return best_scores, history
