"""Topic advanced: multi-input models, clipping and accumulation, checkpointing, file datasets
(guide Level 3, folder 06)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("advanced", "Multi-input, clipping and accumulation, checkpointing, file datasets",
              "Level 3, folder 06", level=3, order=6)

PROGRAMS = (
    Program(
        "advanced/multi_input",
        "An image branch and a metadata branch joined by torch.cat",
        {"batch_size": range(1, 17), "epochs": range(1, 4), "seed": SEED},
    ),
    Program(
        "advanced/clip_and_accumulate",
        "Gradient accumulation over micro-batches with gradient clipping",
        {"batch_size": range(1, 9), "accum_steps": range(1, 5), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "advanced/grad_checkpointing",
        "Heavy blocks run through torch.utils.checkpoint",
        {"batch_size": range(1, 17), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "advanced/path_label_dataset",
        "A Dataset that loads one file per sample, labelled by its folder",
        {"batch_size": range(1, 13), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "advanced/mixed_precision",
        "autocast and GradScaler: scale, unscale before clipping, step, update",
        {"batch_size": range(1, 13), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "advanced/gan",
        "A GAN step: the discriminator on detached fakes, then the generator",
        {"batch_size": range(1, 17), "epochs": range(1, 3), "seed": SEED},
    ),
)
