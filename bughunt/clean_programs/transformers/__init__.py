"""Topic transformers: attention, multi-head attention, masks, the encoder block (guide folder 11)."""

from bughunt.clean_programs import SEED, Program, Topic

TOPIC = Topic("transformers", "The Transformer from scratch: attention, heads, encoder block", "folder 11",
              level=4, order=11)

PROGRAMS = (
    Program(
        "transformers/attention",
        "Scaled dot-product and multi-head attention with padding and causal masks",
        {"batch_size": range(1, 9), "seq_len": range(2, 9), "num_heads": (2, 4), "seed": SEED},
    ),
    Program(
        "transformers/encoder_block",
        "A post-norm encoder block with a padding mask, trained on a toy sequence task",
        {"batch_size": range(1, 17), "seq_len": range(2, 9), "num_heads": (2, 4), "epochs": range(1, 3),
         "seed": SEED},
    ),
    Program(
        "transformers/rnn_language_model",
        "A GRU language model: truncated BPTT, padded streams, log_softmax + nll_loss",
        {"batch_size": range(1, 7), "max_len": range(2, 10), "bptt": range(1, 5), "epochs": range(1, 3),
         "seed": SEED},
    ),
    Program(
        "transformers/gru_forecaster",
        "A GRU forecaster: windows of a series, the last step's output reshaped for MSELoss",
        {"batch_size": range(1, 17), "window": range(1, 7), "epochs": range(1, 3), "seed": SEED},
    ),
)
