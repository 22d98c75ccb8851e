"""A small GRU language model, trained with truncated backpropagation through time.

Fault studies (graphs kept alive; loss and activation): the sequence models that came before
attention. A batch holds token streams of different lengths, padded with PAD. Each stream is
read in chunks of ``bptt`` steps; the hidden state carries from one chunk to the next, detached,
so that backward() stops at the chunk boundary. The loss takes log-probabilities
(log_softmax, then nll_loss) and skips the padded targets (ignore_index).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

PAD = 0  # the padding token


class LanguageModel(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.hidden = hidden
        self.embed = nn.Embedding(vocab, hidden, padding_idx=PAD)
        self.rnn = nn.GRU(hidden, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def init_hidden(self, batch_size):
        return torch.zeros(1, batch_size, self.hidden, device=self.head.weight.device)

    def forward(self, tokens, hidden):
        out, hidden = self.rnn(self.embed(tokens), hidden)  # out: (N, T, hidden)
        return self.head(out), hidden  # logits over the vocabulary at every step


def make_streams(n, vocab, max_len):
    """n streams of 2..max_len tokens, padded with PAD to (n, max_len); the first is full length."""
    lengths = torch.randint(2, max_len + 1, (n,))
    lengths[0] = max_len
    tokens = torch.randint(1, vocab, (n, max_len))
    return tokens.masked_fill(torch.arange(max_len) >= lengths.unsqueeze(1), PAD)


def train(model, streams, optimizer, bptt, epochs, device):
    """Returns the loss of every chunk."""
    inputs, targets = streams[:, :-1].to(device), streams[:, 1:].to(device)  # predict the next token
    losses = []
    for epoch in range(epochs):
        hidden = model.init_hidden(inputs.size(0))
        for start in range(0, inputs.size(1), bptt):
            hidden = hidden.detach()  # keep the state, drop the graph of the chunks before
            optimizer.zero_grad()
            logits, hidden = model(inputs[:, start:start + bptt], hidden)
            log_probs = F.log_softmax(logits, dim=-1)
            chunk_targets = targets[:, start:start + bptt]
            loss = F.nll_loss(log_probs.flatten(0, 1), chunk_targets.flatten(), ignore_index=PAD)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def main(batch_size=4, max_len=8, bptt=3, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    streams = make_streams(batch_size, vocab=12, max_len=max_len)
    model = LanguageModel(vocab=12, hidden=16).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = train(model, streams, optimizer, bptt, epochs, device)
    return {"losses": losses, "model": model}


if __name__ == "__main__":
    out = main()
    print(f"{len(out['losses'])} chunks, loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
