"""Topic models: concatenation, conditioning, plugging modules together (guide section 4, folder 02)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("models", "Models: concatenation, conditioning, plugging modules", "section 4, folder 02",
              level=1, order=2)

PROGRAMS = (
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
        "models/residual_mlp",
        "Residual MLP blocks kept in an nn.ModuleList",
        {"batch_size": range(1, 9), "depth": range(1, 4), "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "models/film_conv",
        "FiLM: a class label scales and shifts the channels of a CNN",
        {"batch_size": range(1, 9), "size": range(1, 6), "steps": range(1, 4), "seed": SEED},
    ),
    Program(
        "models/conditional_gan",
        "A conditional GAN: label embeddings, a sigmoid discriminator, fakes made under no_grad",
        {"batch_size": range(1, 9), "steps": range(1, 4), "seed": SEED},
    ),
)
