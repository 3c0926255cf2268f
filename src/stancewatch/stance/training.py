"""Training the offline stance model (``stancewatch train-stance``).

MiniLM (the packaged all-MiniLM-L6-v2) gets LoRA adapters and a small head
(:mod:`stancewatch.stance.net`) and is trained on many stance and NLI sets at once, in the
spirit of the Political DEBATE recipe: premise = the text, hypothesis = the proposition;
entailment/favour/pro = support, contradiction/against/con = oppose, neutral/none = neutral
(see ``../shared/data/nli/README.md``). In-domain rows (VAST train subset, RUW train, the
default pack's own phrasings) are repeated so they weigh more; each NLI source is capped.
VAST dev and RUW val are used only to pick the best epoch, never to train.

Only torch, transformers, numpy and pandas are imported, so the same code runs on a bare GPU
machine (``python -m stancewatch.stance.training --help`` with ``PYTHONPATH=src``). Files are
read as given or with ``.gz`` appended.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from stancewatch.errors import InputError
from stancewatch.stance.model import MODEL_VERSION
from stancewatch.stance.net import StanceNet, add_lora, lora_tensors
from stancewatch.stance.training_data import (
    DEV_FILES,
    SOURCES,
    Pair,
    data_file,
    domain_pairs,
    load_sources,
    ruw_pairs,
    text_lines,
    vast_pairs,
)


@dataclass
class TrainConfig:
    """Everything that decides the trained model; stored beside the weights."""

    arch: str = "bi"
    epochs: int = 2
    batch_size: int = 64
    lr: float = 3e-4
    head_lr: float = 1e-3
    rank: int = 64
    alpha: float = 128.0
    max_length: int = 128
    hypothesis_length: int = 48
    max_per_source: int = 6000
    in_domain_repeat: int = 3
    vast_repeat: int = 6
    domain_epochs: int = 0
    domain_lr_scale: float = 0.3
    seed: int = 13
    sources: list[str] = field(default_factory=lambda: list(SOURCES))
    # A trained model folder to start from (its adapters and head); "" starts afresh.
    init: str = ""
    # Source name -> rows per epoch as a multiple of its size (0.5 samples half, 2 repeats
    # twice); overrides the rules below for the sources it names.
    weights: dict[str, float] = field(default_factory=dict)
    # Passes of a head refit on the frozen encoder after the adapter epochs (bi only; see
    # stancewatch.stance.refit); 0 skips it.
    head_epochs: int = 0


IN_DOMAIN = ("vast", "ruw", "pack", "stance_domain", "written")


def _weighted(pairs: list[Pair], weight: float, rng: random.Random) -> list[Pair]:
    whole, part = int(weight), weight - int(weight)
    return pairs * whole + rng.sample(pairs, round(part * len(pairs)))


def epoch_sample(pools: dict[str, list[Pair]], cfg: TrainConfig, rng: random.Random) -> list[Pair]:
    """One epoch's rows: every source capped at ``max_per_source``, in-domain ones repeated,
    sources named in ``cfg.weights`` sampled by their weight."""
    rows: list[Pair] = []
    for name, pairs in pools.items():
        if name in cfg.weights:
            rows.extend(_weighted(pairs, cfg.weights[name], rng))
        elif name in IN_DOMAIN:
            rows.extend(pairs * (cfg.vast_repeat if name == "vast" else cfg.in_domain_repeat))
        else:
            rows.extend(rng.sample(pairs, min(len(pairs), cfg.max_per_source)))
    rng.shuffle(rows)
    return rows


class TokenCache:
    """Token ids per (text, hypothesis, length), computed once in large batches."""

    def __init__(self, tok: Any) -> None:
        self.tok = tok
        self.memo: dict[tuple[str, str | None, int], tuple[list[int], list[int]]] = {}

    def warm(self, items: Sequence[tuple[str, str | None]], length: int) -> None:
        """Tokenize every item not seen yet (one call per 4,096 items)."""
        todo = list(dict.fromkeys(i for i in items if (i[0], i[1], length) not in self.memo))
        for start in range(0, len(todo), 4096):
            chunk = todo[start : start + 4096]
            texts = [t for t, _ in chunk]
            pairs = [h for _, h in chunk] if chunk[0][1] is not None else None
            enc = self.tok(
                texts,
                pairs,
                truncation="only_first" if pairs else True,
                max_length=length,
                return_token_type_ids=True,
            )
            for item, ids, types in zip(
                chunk, enc["input_ids"], enc["token_type_ids"], strict=True
            ):
                self.memo[(item[0], item[1], length)] = (ids, types)

    def batch(
        self, items: Sequence[tuple[str, str | None]], length: int, device: str
    ) -> dict[str, torch.Tensor]:
        """Padded tensors for ``items``."""
        self.warm(items, length)
        seqs = [self.memo[(t, h, length)] for t, h in items]
        width = max(len(ids) for ids, _ in seqs)
        ids = torch.full((len(seqs), width), int(self.tok.pad_token_id or 0), dtype=torch.long)
        types = torch.zeros((len(seqs), width), dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, (a, b) in enumerate(seqs):
            ids[i, : len(a)], types[i, : len(b)], mask[i, : len(a)] = (
                torch.tensor(a),
                torch.tensor(b),
                1,
            )
        return {
            "input_ids": ids.to(device),
            "attention_mask": mask.to(device),
            "token_type_ids": types.to(device),
        }


def logits_for(
    net: StanceNet, cache: TokenCache, batch: Sequence[Pair], cfg: TrainConfig, device: str
) -> torch.Tensor:
    """Logits for a batch of pairs (training and evaluation share this)."""
    if net.arch == "bi":
        t = cache.batch([(p.text, None) for p in batch], cfg.max_length, device)
        h = cache.batch([(p.hypothesis, None) for p in batch], cfg.hypothesis_length, device)
        return net.pair_logits(
            net.embed(t["input_ids"], t["attention_mask"]),
            net.embed(h["input_ids"], h["attention_mask"]),
        )
    items = [(p.text, p.hypothesis) for p in batch]
    return net.cross_logits(cache.batch(items, cfg.max_length + cfg.hypothesis_length, device))


def macro_f1(gold: Sequence[int], pred: Sequence[int]) -> float:
    """Mean F1 over the three labels (0 support, 1 oppose, 2 neutral)."""
    from stancewatch.stance.evaluation import macro_f1 as labelled_macro_f1

    return labelled_macro_f1(gold, pred, labels=(0, 1, 2))


@torch.no_grad()
def evaluate(
    net: StanceNet, cache: TokenCache, pairs: Sequence[Pair], cfg: TrainConfig, device: str
) -> float:
    """Macro-F1 of the network on labelled pairs."""
    net.eval()
    pred = []
    for start in range(0, len(pairs), 128):
        with torch.autocast(
            device_type=device.split(":")[0],
            dtype=torch.bfloat16,
            enabled=device.startswith("cuda"),
        ):
            pred.extend(
                logits_for(net, cache, pairs[start : start + 128], cfg, device).argmax(-1).tolist()
            )
    net.train()
    return macro_f1([p.label for p in pairs], pred)


def save_model(net: StanceNet, cfg: TrainConfig, out: Path, meta: dict[str, Any]) -> None:
    """Adapters and head (fp16) to ``stance.safetensors``, settings and metrics to ``config.json``."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    tensors = lora_tensors(net.encoder)
    tensors |= {f"head.{k}": v.detach().cpu() for k, v in net.head.state_dict().items()}
    save_file(
        {k: v.half().contiguous() for k, v in tensors.items()}, str(out / "stance.safetensors")
    )
    config = {"version": MODEL_VERSION, **asdict(cfg), "scale": cfg.alpha / cfg.rank, **meta}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", "utf-8")


def load_init(net: StanceNet, folder: Path) -> None:
    """Start from a trained model: copy its adapters into ``net``'s and load its head."""
    from safetensors.torch import load_file

    from stancewatch.stance.net import LoRALinear

    weights = folder / "stance.safetensors"
    if not weights.is_file():
        raise InputError(f"{folder} holds no stance.safetensors to start from")
    tensors = load_file(str(weights))
    for name, module in net.encoder.named_modules():
        if isinstance(module, LoRALinear):
            a, b = tensors.get(f"lora.{name}.A"), tensors.get(f"lora.{name}.B")
            if a is None or b is None or a.shape != module.lora_a.shape:
                raise InputError(f"{weights}: no adapter of rank {module.rank} for {name}")
            with torch.no_grad():
                module.lora_a.copy_(a.float())
                module.lora_b.copy_(b.float())
    head = {k[len("head.") :]: v.float() for k, v in tensors.items() if k.startswith("head.")}
    net.head.load_state_dict(head)


def train(
    base: str | Path,
    data: Path | None,
    out: Path,
    cfg: TrainConfig,
    *,
    extra: Sequence[Pair] = (),
    written: Sequence[Pair] = (),
    extra_dev: dict[str, list[Pair]] | None = None,
    data_dev: bool = True,
    device: str = "cpu",
    log: Callable[[str], None] = print,
    time_limit_s: float | None = None,
) -> dict[str, Any]:
    """Train, keep the epoch with the best mean dev macro-F1, save it under ``out``.

    ``data`` is the data folder ``cfg.sources`` and the dev sets are read from (None: no
    data folder; training then uses only the pairs given). ``extra`` joins training as the
    source ``pack`` (codebook phrasings), ``written`` as ``written`` (labelled statements,
    as the pipeline reads them); ``extra_dev`` adds dev sets to the epoch choice, and
    ``data_dev=False`` leaves the data folder's dev sets out of it (the epoch is then chosen
    on ``extra_dev`` alone). ``time_limit_s`` ends training early (after evaluating the
    partial epoch).
    """
    from transformers import AutoModel, AutoTokenizer

    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    pools = load_sources(data, cfg.sources, log) if data is not None and cfg.sources else {}
    if extra:
        pools["pack"] = list(extra)
    if written:
        pools["written"] = list(written)
    if not pools:
        where = f"under {data}" if data is not None else "(no data folder)"
        raise InputError(f"no training data found {where} and no pairs were given")
    dev_loaders = {"vast": vast_pairs, "ruw": ruw_pairs, "stance_domain": domain_pairs}
    folder_dev = data is not None and data_dev
    dev = {
        k: dev_loaders[k](p)
        for k, rel in DEV_FILES.items()
        if folder_dev and data is not None and (p := data_file(data, rel))
    } | dict(extra_dev or {})
    tok = AutoTokenizer.from_pretrained(str(base))
    cache = TokenCache(tok)
    encoder = AutoModel.from_pretrained(str(base)).float()
    add_lora(encoder, cfg.rank, cfg.alpha, dropout=0.05)
    net = StanceNet(encoder, cfg.arch)
    if cfg.init:
        load_init(net, Path(cfg.init))
    net = net.to(device)
    lora = [p for n, p in net.named_parameters() if p.requires_grad and n.startswith("encoder")]
    opt = torch.optim.AdamW(
        [{"params": lora, "lr": cfg.lr}, {"params": net.head.parameters(), "lr": cfg.head_lr}],
        weight_decay=0.01,
    )
    domain = {k: v for k, v in pools.items() if k in IN_DOMAIN}
    mixed_steps = len(epoch_sample(pools, cfg, random.Random(0))) // cfg.batch_size * cfg.epochs
    domain_steps = (
        len(epoch_sample(domain, cfg, random.Random(0))) // cfg.batch_size * cfg.domain_epochs
    )
    total = max(1, mixed_steps + domain_steps)

    def rate(s: int) -> float:
        # Warm up, decay linearly over the mixed epochs, then a lower flat-to-zero domain phase.
        if s < mixed_steps or not domain_steps:
            return min(1.0, s / max(1, total // 20)) * max(0.0, 1 - s / max(1, mixed_steps))
        return cfg.domain_lr_scale * max(0.0, 1 - (s - mixed_steps) / domain_steps)

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.05)
    best: dict[str, Any] = {"score": -1.0}
    # What the data was, the same for every saved epoch.
    data_meta = {
        "train_pairs": {k: len(v) for k, v in pools.items()},
        "phrasing_propositions": phrasing_propositions(pools),
    }
    history = []
    started = time.time()
    net.train()
    losses: list[float] = []
    for epoch in range(cfg.epochs + cfg.domain_epochs):
        rows = epoch_sample(pools if epoch < cfg.epochs else domain, cfg, rng)
        out_of_time = False
        for step in range(len(rows) // cfg.batch_size):
            if time_limit_s is not None and time.time() - started > time_limit_s:
                out_of_time = True
                break
            batch = rows[step * cfg.batch_size : (step + 1) * cfg.batch_size]
            with torch.autocast(
                device_type=device.split(":")[0],
                dtype=torch.bfloat16,
                enabled=device.startswith("cuda"),
            ):
                logits = logits_for(net, cache, batch, cfg, device)
            loss = loss_fn(logits.float(), torch.tensor([p.label for p in batch], device=device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(loss.item())
        scores = {k: round(evaluate(net, cache, v, cfg, device), 4) for k, v in dev.items()}
        mean = float(np.mean(list(scores.values()))) if scores else float(epoch)
        loss_mean = float(np.mean(losses[-200:])) if losses else 0.0
        history.append(
            {
                "epoch": epoch + 1,
                "steps": len(losses),
                "loss": round(loss_mean, 4),
                "s": round(time.time() - started),
                **scores,
            }
        )
        log(
            f"epoch {epoch + 1}: {len(losses)} steps, loss {loss_mean:.3f}, dev {scores}, {time.time() - started:.0f}s"
        )
        if mean > best["score"]:
            best = {"score": mean, "epoch": epoch + 1, "dev": scores}
            meta = {"best_epoch": epoch + 1, "dev_macro_f1": scores, "history": history}
            save_model(net, cfg, out, meta | data_meta)
        if out_of_time:
            log("time limit reached")
            break
    if cfg.head_epochs and cfg.arch == "bi":
        if best["score"] >= 0:
            load_init(net, out)  # the best adapter epoch, not the last
        scores, head_history = _refit(net, cache, pools, dev, cfg, device, log)
        best = {
            "score": float(np.mean(list(scores.values()) or [0.0])),
            "epoch": "head",
            "dev": scores,
        }
        meta = {
            "best_epoch": best["epoch"],
            "dev_macro_f1": scores,
            "history": history,
            "head_history": head_history,
        }
        save_model(net, cfg, out, meta | data_meta)
    best["history"] = history
    return best


def _refit(
    net: StanceNet,
    cache: TokenCache,
    pools: dict[str, list[Pair]],
    dev: dict[str, list[Pair]],
    cfg: TrainConfig,
    device: str,
    log: Callable[[str], None],
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The head refit on one epoch's mixture, embedded once by the frozen encoder."""
    from stancewatch.stance.refit import pair_features, refit_head

    def tokenize(texts: Sequence[str], length: int) -> dict[str, torch.Tensor]:
        return cache.batch([(t, None) for t in texts], length, device)

    lengths = (cfg.max_length, cfg.hypothesis_length)
    rows = epoch_sample(pools, cfg, random.Random(cfg.seed + 1))
    log(f"head refit: embedding {len(rows)} training pairs and the dev sets")
    x = pair_features(net, tokenize, rows, lengths).to(device)
    y = torch.tensor([p.label for p in rows], device=device)
    dev_x = {
        k: (pair_features(net, tokenize, v, lengths).to(device), [p.label for p in v])
        for k, v in dev.items()
    }
    return refit_head(
        net,
        x,
        y,
        dev_x,
        epochs=cfg.head_epochs,
        lr=cfg.head_lr,
        seed=cfg.seed,
        score=lambda gold, pred: macro_f1(gold, pred),
        log=log,
    )


def phrasing_propositions(pools: dict[str, list[Pair]]) -> list[str]:
    """The propositions whose codebook phrasings were trained on (the ``pack`` source): the
    model has them in its weights, so inference does not blend them in again."""
    return sorted({p.hypothesis for p in pools.get("pack", []) if p.label != 2})


def parse_weights(text: str) -> dict[str, float]:
    """``"vast=1,ruw=0.2"`` -> ``{"vast": 1.0, "ruw": 0.2}``."""
    out = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or out.get(name.strip(), -1) < 0:
            raise InputError(f"bad source weight {item!r}; write name=weight, e.g. ruw=0.2")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command line for a bare GPU machine: the same code ``stancewatch train-stance`` runs."""
    parser = argparse.ArgumentParser(description="Train the stancewatch stance model.")
    parser.add_argument("--base", required=True, help="folder of the MiniLM base model")
    parser.add_argument(
        "--data", required=True, type=Path, help="folder laid out like ../shared/data"
    )
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument(
        "--pack-pairs", type=Path, help="jsonl of codebook pairs (text, hypothesis, label)"
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--written-pairs", type=Path, help="jsonl of labelled statements as the model reads them"
    )
    parser.add_argument(
        "--written-dev", type=Path, help="jsonl of held-out statements (for the epoch choice)"
    )
    for name, value in asdict(TrainConfig()).items():
        if name not in ("sources", "weights"):
            parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--weights", default="", help="source=weight,... (rows per epoch / size)")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="seconds of training at most"
    )
    args = parser.parse_args(argv)
    fields = {k: getattr(args, k) for k in asdict(TrainConfig()) if k not in ("sources", "weights")}
    cfg = TrainConfig(
        **fields,
        sources=[s for s in args.sources.split(",") if s],
        weights=parse_weights(args.weights),
    )

    def pairs_file(path: Path | None) -> list[Pair]:
        return (
            [Pair(**json.loads(line)) for line in text_lines(path) if line.strip()] if path else []
        )

    extra = pairs_file(args.pack_pairs)
    written = pairs_file(args.written_pairs)
    written_dev = pairs_file(args.written_dev)
    print(
        json.dumps(
            train(
                args.base,
                args.data,
                args.out,
                cfg,
                extra=extra,
                written=written,
                extra_dev={"written": written_dev} if written_dev else None,
                device=args.device,
                time_limit_s=args.time_limit,
            )
        )
    )


if __name__ == "__main__":
    main()
