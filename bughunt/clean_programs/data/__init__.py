"""Topic data: tensors, Datasets and DataLoaders (guide sections 1-3, folder 01)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("data", "Tensors, Datasets and DataLoaders", "sections 1-3, folder 01", level=1, order=1)

PROGRAMS = (
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
        "data/sequence_batches",
        "Pad variable-length sequences, mask the padding, permute for a Conv1d",
        {"batch_size": range(1, 9), "channels": range(1, 5), "max_len": range(1, 7),
         "epochs": range(1, 3), "seed": SEED},
    ),
    Program(
        "data/sequence_tagger",
        "An LSTM tagger over padded sequences, read in chunks; NLLLoss with ignore_index",
        {"batch_size": range(1, 9), "max_len": range(1, 7), "chunk": range(1, 4), "epochs": range(1, 3),
         "seed": SEED},
    ),
)
