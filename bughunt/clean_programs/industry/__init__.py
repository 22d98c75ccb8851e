"""Topic industry: the full pipeline, early stopping and LR scheduling (guide Level 4, folder 07)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("industry", "Full pipeline, early stopping, LR scheduler", "Level 4, folder 07", level=4, order=7)

PROGRAMS = (
    Program(
        "industry/full_pipeline",
        "Seed, split, train, validate, checkpoint the best, reload it",
        {"batch_size": range(1, 17), "epochs": range(1, 5), "seed": SEED},
    ),
    Program(
        "industry/early_stopping",
        "Early stopping with patience and ReduceLROnPlateau",
        {"batch_size": range(1, 17), "max_epochs": range(4, 16), "seed": SEED},
    ),
    Program(
        "industry/normalised_regression",
        "Split, standardise with training statistics, weight-decay groups, keep the best",
        {"batch_size": range(1, 17), "epochs": range(1, 7), "seed": SEED},
    ),
)
