"""Topic training: the training loop and LR schedulers (guide section 5, folder 03)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("training", "The training loop and LR schedulers", "section 5, folder 03", level=1, order=3)

PROGRAMS = (
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
        "training/regression_loop",
        "A regression loop: (N, 1) predictions flattened for MSELoss, a running absolute error",
        {"batch_size": range(1, 17), "epochs": range(1, 3), "seed": SEED},
    ),
)
