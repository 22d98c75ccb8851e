"""Topic architectures: a ResNet-style residual block and a small CNN (guide folder 12)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("architectures", "Architectures: residual blocks and a small CNN", "folder 12", level=4, order=12)

PROGRAMS = (
    Program(
        "architectures/resnet_block",
        "A BasicBlock with a projection shortcut, in a tiny ResNet",
        {"batch_size": range(2, 17), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "architectures/small_cnn",
        "Conv/ReLU/pool blocks, flatten, a Linear head: train and evaluate",
        {"batch_size": range(1, 17), "epochs": range(1, 3), "seed": SEED},
    ),
)
