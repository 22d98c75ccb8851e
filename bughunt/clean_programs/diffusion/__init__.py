"""Topic diffusion: DDPM noise prediction and flow matching on 2-D toy data (guide folder 10)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("diffusion", "Diffusion models and flow matching", "folder 10", level=4, order=10)

PROGRAMS = (
    Program(
        "diffusion/ddpm",
        "DDPM: a linear noise schedule, q_sample, noise prediction and ancestral sampling",
        {"batch_size": range(1, 33), "epochs": range(1, 3), "num_steps": range(10, 41), "seed": SEED},
    ),
    Program(
        "diffusion/flow_matching",
        "Flow matching on straight paths, then Euler sampling",
        {"batch_size": range(1, 33), "epochs": range(1, 3), "sample_steps": range(1, 11), "seed": SEED},
    ),
)
