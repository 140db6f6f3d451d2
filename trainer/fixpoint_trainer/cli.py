"""python -m fixpoint_trainer train | generate | synthetic — see trainer/README.md."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Callable

from fixpoint_trainer.cancel import CancelFlag, Cancelled
from fixpoint_trainer.chat_template import ChatTemplateError
from fixpoint_trainer.dataset import DatasetError
from fixpoint_trainer.events import (EXIT_CANCELLED, EXIT_FAILED, EXIT_INVALID_INPUT,
                                     EXIT_SUCCEEDED, EventWriter)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 2 like argparse's, with a failed event on stdout as well."""

    def error(self, message: str) -> None:  # type: ignore[override]
        EventWriter().emit("failed", code="invalid_arguments", error=message)
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(EXIT_INVALID_INPUT)


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive (got {text})")
        return value

    return parse


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1 (got {text})")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m fixpoint_trainer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="LoRA fine-tuning on an OpenAI chat JSONL file")
    train.add_argument("--dataset", required=True, help="training rows (OpenAI chat JSONL)")
    train.add_argument("--validation", help="validation rows; the best epoch on them is kept")
    train.add_argument("--base", required=True, help="base model: a local folder or a hub name")
    train.add_argument("--out", required=True, help="folder for adapter/ and manifest.json")
    train.add_argument("--epochs", type=_positive(int), default=3)
    train.add_argument("--lr", type=_positive(float), default=2e-4, dest="learning_rate")
    train.add_argument("--lora-r", type=_positive(int), default=16)
    train.add_argument("--lora-alpha", type=_positive(int), default=32)
    train.add_argument("--lora-dropout", type=_fraction, default=0.05)
    train.add_argument("--max-length", type=_positive(int), default=2048)
    train.add_argument("--batch-size", type=_positive(int), default=4)
    train.add_argument("--grad-accum", type=_positive(int), default=1)
    train.add_argument("--warmup-ratio", type=_fraction, default=0.05)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--chat-template", choices=["auto", "default"], default="auto",
                       help="auto: the tokenizer's own template, else the default (ChatML)")
    train.add_argument("--gradient-checkpointing", action="store_true")

    generate = commands.add_parser("generate", help="answer a prompt with base + adapter")
    generate.add_argument("--base", required=True)
    generate.add_argument("--adapter", help="an adapter folder (the run's out/adapter)")
    generate.add_argument("--prompt", help="the user message")
    generate.add_argument("--system", help="a system message before it")
    generate.add_argument("--messages", help="a JSON list of messages instead of --prompt")
    generate.add_argument("--max-new-tokens", type=_positive(int), default=64)
    generate.add_argument("--chat-template", choices=["auto", "default"], default="auto")

    synthetic = commands.add_parser(
        "synthetic", help="invented facts and a random-weight base model (tests, GPU check)")
    synthetic.add_argument("--out", required=True)
    synthetic.add_argument("--facts", type=_positive(int), default=16)
    synthetic.add_argument("--size", choices=["tiny", "medium"], default="tiny")
    synthetic.add_argument("--seed", type=int, default=7)
    return parser


def _train(args: argparse.Namespace) -> int:
    cancel = CancelFlag()
    cancel.install()  # before the slow imports: a cancel during them is honoured too
    # stdout carries the events alone; anything a library prints goes to stderr.
    events = EventWriter(sys.stdout)
    sys.stdout = sys.stderr
    from fixpoint_trainer.train import TrainOptions, run_training

    options = TrainOptions(**{k: v for k, v in vars(args).items() if k != "command"})
    try:
        result = run_training(options, events, cancel)
    except Cancelled:
        events.emit("cancelled", signal=cancel.signal_number)
        return EXIT_CANCELLED
    except DatasetError as error:
        events.emit("failed", code="invalid_dataset", error=str(error), file=error.path,
                    line=error.line or None, field=error.field or None)
        return EXIT_INVALID_INPUT
    except ChatTemplateError as error:
        events.emit("failed", code="chat_template", error=str(error))
        return EXIT_INVALID_INPUT
    except Exception as error:  # noqa: BLE001 - the boundary: report any failure as an event
        traceback.print_exc(file=sys.stderr)
        events.emit("failed", code="error", error=f"{type(error).__name__}: {error}")
        return EXIT_FAILED
    events.emit("succeeded", out=args.out, adapter=str(Path(args.out) / "adapter"),
                manifest=str(Path(args.out) / "manifest.json"), best_epoch=result["best"]["epoch"],
                best_loss=result["best"]["loss"], steps=result["steps"],
                train_seconds=result["train_seconds"], wall_seconds=result["wall_seconds"])
    return EXIT_SUCCEEDED


def _generate(args: argparse.Namespace) -> int:
    from fixpoint_trainer.generate import TunedModel

    if args.messages:
        messages = json.loads(args.messages)
    elif args.prompt:
        messages = ([{"role": "system", "content": args.system}] if args.system else [])
        messages.append({"role": "user", "content": args.prompt})
    else:
        sys.stderr.write("generate: give --prompt or --messages\n")
        return EXIT_INVALID_INPUT
    model = TunedModel(args.base, args.adapter, args.chat_template)
    print(model.answer(messages, max_new_tokens=args.max_new_tokens))
    return EXIT_SUCCEEDED


def _synthetic(args: argparse.Namespace) -> int:
    from fixpoint_trainer.synthetic import write_synthetic

    paths = write_synthetic(Path(args.out), args.facts, args.size, args.seed)
    print(json.dumps(paths))
    return EXIT_SUCCEEDED


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"train": _train, "generate": _generate, "synthetic": _synthetic}
    return handlers[args.command](args)
