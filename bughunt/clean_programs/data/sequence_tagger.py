"""Tag every token of padded sequences with an LSTM, read in chunks.

Guide: section 3 (a DataLoader over padded sequences), with the fault studies' graphs kept
alive and loss/activation pairs. Tokens and tags are padded with PAD. Long sequences are read
``chunk`` steps at a time: the LSTM's (h, c) state carries over to the next chunk, detached at
each boundary. The model returns log-probabilities, which NLLLoss wants; it skips the padded
positions through ignore_index.
"""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

PAD = 0  # token id and tag id of the padding


class Tagger(nn.Module):
    def __init__(self, vocab, num_tags, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden, padding_idx=PAD)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.head = nn.Linear(hidden, num_tags)

    def init_state(self, batch_size):
        h = torch.zeros(1, batch_size, self.lstm.hidden_size, device=self.head.weight.device)
        return h, torch.zeros_like(h)  # (h, c)

    def forward(self, tokens, state):
        out, state = self.lstm(self.embed(tokens), state)  # out: (N, T, hidden)
        return torch.log_softmax(self.head(out), dim=-1), state  # (N, T, num_tags) log-probabilities


def make_loader(n, vocab, num_tags, max_len, batch_size):
    """Sequences of 1..max_len tokens; each token's tag follows from the token and the one before."""
    lengths = torch.randint(1, max_len + 1, (n,))
    tokens = torch.randint(1, vocab, (n, max_len))
    tags = 1 + (tokens + tokens.roll(1, dims=1)) % (num_tags - 1)  # tags 1..num_tags-1, 0 is PAD
    padding = torch.arange(max_len) >= lengths.unsqueeze(1)
    return DataLoader(TensorDataset(tokens.masked_fill(padding, PAD), tags.masked_fill(padding, PAD)),
                      batch_size=batch_size, shuffle=True)


def train(model, loader, criterion, optimizer, chunk, epochs, device):
    """Returns the loss of every chunk."""
    losses = []
    for epoch in range(epochs):
        for tokens, tags in loader:
            tokens, tags = tokens.to(device), tags.to(device)
            state = model.init_state(tokens.size(0))
            for start in range(0, tokens.size(1), chunk):
                target = tags[:, start:start + chunk]
                if (target == PAD).all():
                    break  # only padding is left in this batch
                state = tuple(s.detach() for s in state)  # carry the values, not the graph
                optimizer.zero_grad()
                log_probs, state = model(tokens[:, start:start + chunk], state)
                loss = criterion(log_probs.flatten(0, 1), target.flatten())
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
    return losses


def main(batch_size=4, max_len=6, chunk=2, epochs=2, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    loader = make_loader(n=12, vocab=10, num_tags=4, max_len=max_len, batch_size=batch_size)
    model = Tagger(vocab=10, num_tags=4, hidden=12).to(device)
    criterion = nn.NLLLoss(ignore_index=PAD)  # log-probabilities in; padded positions do not count
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = train(model, loader, criterion, optimizer, chunk, epochs, device)
    return {"losses": losses, "model": model}


if __name__ == "__main__":
    out = main()
    print(f"{len(out['losses'])} chunks, loss {out['losses'][0]:.3f} -> {out['losses'][-1]:.3f}")
