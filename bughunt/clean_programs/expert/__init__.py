"""Topic expert: a custom autograd Function and real distributed training (guide folder 09)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("expert", "Custom autograd Functions and distributed training", "Expert, folder 09",
              level=4, order=9)

PROGRAMS = (
    Program(
        "expert/custom_autograd",
        "A LeakyReLU autograd.Function: gradcheck, then training with it",
        {"batch_size": range(1, 17), "epochs": range(1, 4), "slope": (0.1, 0.01, 0.3), "seed": SEED},
    ),
    Program(
        "expert/distributed",
        "Two gloo processes: DistributedSampler, DDP, a rank-0 checkpoint",
        {"batch_size": range(1, 9), "epochs": range(2, 4), "seed": SEED},
        max_examples=4,  # every run starts two processes
    ),
)
