"""Feature maps: broadcast a condition vector over an image batch, then the everyday moves.

Guide: section 2 (cat, stack, squeeze, permute) and Challenge 1
(concat_condition_to_feature_map). Runs on random data in well under a second.
"""
import torch
import torch.nn as nn


def channels_last_to_first(images):
    """(N, H, W, C), the layout images are stored in -> (N, C, H, W), the layout Conv2d expects."""
    return images.permute(0, 3, 1, 2)


def concat_condition_to_feature_map(x, cond):
    """x: (N, C, H, W) and cond: (N, D) -> (N, C + D, H, W)."""
    n, _, h, w = x.shape
    cond = cond.unsqueeze(2).unsqueeze(3)  # (N, D, 1, 1)
    cond = cond.expand(n, -1, h, w)  # (N, D, H, W): a view, nothing is copied
    return torch.cat([x, cond], dim=1)  # join along the channel dim


def summarize(feats):
    """(N, F, H, W) -> (N, 2, F): mean and max pooling stacked on a new dim."""
    mean = feats.mean(dim=(2, 3))
    peak = feats.amax(dim=(2, 3))
    return torch.stack([mean, peak], dim=1)


def main(batch_size=4, channels=3, cond_dim=5, size=8, seed=0):
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    images = torch.rand(batch_size, size, size, channels, device=device)
    cond = torch.randn(batch_size, cond_dim, device=device)

    x = channels_last_to_first(images)
    fused = concat_condition_to_feature_map(x, cond)

    model = nn.Sequential(
        nn.Conv2d(channels + cond_dim, 8, kernel_size=3, padding=1),
        nn.ReLU(),
    ).to(device)
    with torch.no_grad():
        feats = model(fused)

    pooled = summarize(feats)  # (N, 2, 8)
    scores = pooled.sum(dim=2)  # (N, 2)
    best = scores[:, 1:].squeeze(1)  # (N,): keep the batch dim even when N == 1
    active = (feats > 0).float().mean().item()  # boolean mask -> fraction of active units
    return {"fused": fused, "pooled": pooled, "best": best, "active": active}


if __name__ == "__main__":
    out = main()
    print(f"fused {tuple(out['fused'].shape)}  pooled {tuple(out['pooled'].shape)}  "
          f"best {tuple(out['best'].shape)}  active units {out['active']:.0%}")
