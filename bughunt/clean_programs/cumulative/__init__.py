"""Topic cumulative: an end-to-end pipeline and two-stage finetuning (guide folder 08)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("cumulative", "End-to-end pipeline and two-stage finetuning", "Cumulative, folder 08",
              level=4, order=8)

PROGRAMS = (
    Program(
        "cumulative/end_to_end",
        "The whole pipeline: Dataset, train/validate, StepLR, best checkpoint, test",
        {"batch_size": range(1, 17), "epochs": range(1, 4), "seed": SEED},
    ),
    Program(
        "cumulative/two_stage",
        "Freeze the backbone and train the head, then finetune everything",
        {"batch_size": range(2, 17), "epochs": range(1, 4), "seed": SEED},
    ),
    Program(
        "cumulative/tabular_classifier",
        "Tabular data: standardise, He init, decay groups, ExponentialLR, restore the best",
        {"batch_size": range(2, 17), "epochs": range(1, 4), "seed": SEED},
    ),
)
