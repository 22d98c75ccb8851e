"""Topic intermediate: train + validate, backbone + head, checkpoints (guide Level 2, folder 05)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("intermediate", "Train + validate, backbone + head, checkpoints", "Level 2, folder 05",
              level=2, order=5)

PROGRAMS = (
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
