"""The clean reference programs, one file per program, grouped by guide topic.

Every program is a plain script a learner can run (``python file.py``). For
verification each one exposes ``main(**config) -> dict``: the keyword arguments
are what Hypothesis varies (``Program.params``), the returned values are what the
detectors compare with the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Mapping, Union

from bughunt.errors import BadInput

#: A parameter is varied over an integer range, or over a tuple of choices.
ParamSpace = Union[range, tuple]

SEED = range(0, 1000)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    guide: str  # where the topic comes from in the guide
    level: int  # the guide's practice roadmap level


@dataclass(frozen=True)
class Program:
    id: str  # "<topic>/<file stem>"
    title: str
    params: Mapping[str, ParamSpace] = field(hash=False)
    max_examples: int = 8  # Hypothesis examples per verification

    @property
    def topic(self) -> str:
        return self.id.split("/")[0]

    @property
    def name(self) -> str:
        return self.id.split("/")[1]

    @property
    def filename(self) -> str:
        return f"{self.name}.py"

    def source(self) -> str:
        return _read(self.id)


@cache
def _read(program_id: str) -> str:
    topic, name = program_id.split("/")
    return resources.files(__package__).joinpath(topic, f"{name}.py").read_text(encoding="utf-8")


TOPICS: tuple[Topic, ...] = (
    Topic("data", "Tensors, Datasets and DataLoaders", "sections 1-3, folder 01", 1),
    Topic("models", "Models: concatenation, conditioning, plugging modules", "section 4, folder 02", 1),
    Topic("training", "The training loop and LR schedulers", "section 5, folder 03", 1),
    Topic("intermediate", "Train + validate, backbone + head, checkpoints", "Level 2, folder 05", 2),
)

PROGRAMS: tuple[Program, ...] = (
    Program(
        "data/feature_maps",
        "Broadcast a condition over feature maps; cat, stack, squeeze, permute",
        {"batch_size": range(1, 6), "channels": range(1, 5), "cond_dim": range(1, 5),
         "size": range(1, 7), "seed": SEED},
    ),
    Program(
        "data/dataset_loader",
        "A custom Dataset over raw rows and its DataLoader",
        {"batch_size": range(1, 17), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "models/conditioning",
        "ConcatBlock, ConditionalMLP and a FiLM ConditionalLinear",
        {"batch_size": range(1, 9), "in_dim": range(1, 7), "cond_dim": range(1, 5),
         "hidden": range(2, 9), "steps": range(1, 5), "seed": SEED},
    ),
    Program(
        "models/encoder_decoder",
        "Encoder, Decoder and the FullModel that plugs them together",
        {"batch_size": range(1, 9), "in_dim": range(2, 11), "latent": range(2, 7),
         "steps": range(1, 5), "seed": SEED},
    ),
    Program(
        "training/classification_loop",
        "The supervised loop with a per-epoch StepLR",
        {"batch_size": range(1, 17), "epochs": range(1, 4), "seed": SEED},
    ),
    Program(
        "training/conditional_training",
        "A class-conditioned classifier trained with SGD + momentum",
        {"batch_size": range(1, 17), "epochs": range(1, 4), "seed": SEED},
    ),
    Program(
        "intermediate/train_val",
        "Train and validate a Dropout model: average loss and accuracy",
        {"batch_size": range(1, 17), "epochs": range(1, 4), "seed": SEED},
    ),
    Program(
        "intermediate/backbone_head",
        "A BatchNorm backbone with a linear head",
        {"batch_size": range(2, 17), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "intermediate/checkpoint_best",
        "Validate each epoch, checkpoint the best model, reload it",
        {"batch_size": range(2, 17), "epochs": range(1, 4), "seed": SEED},
    ),
)

_BY_ID = {program.id: program for program in PROGRAMS}
_TOPIC_IDS = {topic.id for topic in TOPICS}


def get_program(program_id: str) -> Program:
    try:
        return _BY_ID[program_id]
    except KeyError:
        raise BadInput(f"unknown program {program_id!r} (see `bughunt topics`)") from None


def programs_of(topic: str) -> tuple[Program, ...]:
    if topic not in _TOPIC_IDS:
        known = ", ".join(t.id for t in TOPICS)
        raise BadInput(f"unknown topic {topic!r}; topics: {known}")
    return tuple(p for p in PROGRAMS if p.topic == topic)
