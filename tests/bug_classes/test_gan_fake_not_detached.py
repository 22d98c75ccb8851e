"""gan-fake-not-detached: the discriminator's step on fakes that still carry the generator's graph."""

from __future__ import annotations

from bughunt.bug_catalog import get_class

from .helpers import changed_lines, forms, mutate, obs, removed_lines, sites_in

# A DCGAN-style step with modules named netG/netD, the real and fake halves as separate backward calls.
DCGAN = """
import torch

def train_step(netG, netD, real, loss_fn, opt_g, opt_d):
    noise = torch.randn(real.size(0), 8)
    fake = netG(noise)
    netD.zero_grad()
    loss_fn(netD(real).view(-1), ones).backward()
    loss_fn(netD(fake.detach()).view(-1), zeros).backward()
    opt_d.step()
    netG.zero_grad()
    loss_fn(netD(fake).view(-1), ones).backward()
    opt_g.step()
"""

# The detached fakes kept in their own name first.
NAMED = """
def step(gen, critic, z, real, opt_c):
    fake = gen(z)
    fake_for_critic = fake.detach()
    loss = critic(fake_for_critic).mean() - critic(real).mean()
    loss.backward()
    opt_c.step()
"""

# Fakes sampled under no_grad for the critic, then again with a graph for the generator.
NO_GRAD = """
import torch

def step(gen, critic, z, real, opt_c, opt_g):
    with torch.no_grad():
        fake = gen(z)
    critic_loss = critic(fake).mean() - critic(real).mean()
    critic_loss.backward()
    opt_c.step()
    fake = gen(z)
    gen_loss = -critic(fake).mean()
    gen_loss.backward()
    opt_g.step()
"""


def test_detach_dropped_in_two_styles():
    assert forms("gan-fake-not-detached", DCGAN) == [
        (".detach() dropped before the second model", ["loss_fn(netD(fake).view(-1), zeros).backward()"])]
    assert forms("gan-fake-not-detached", NAMED) == [
        (".detach() dropped before the second model", ["fake_for_critic = fake"])]


def test_no_grad_removed_around_the_fakes():
    [mutant] = mutate("gan-fake-not-detached", NO_GRAD)
    assert mutant.form == "torch.no_grad() removed around the fakes"
    assert removed_lines(NO_GRAD, mutant) == ["with torch.no_grad():", "fake = gen(z)"]
    assert "    fake = gen(z)\n    critic_loss" in mutant.source


def test_near_misses_are_no_sites():
    # the recurrent state fed back to the model that made it: another class
    rnn = """
    def train(model, chunks, optimizer):
        for x in chunks:
            out, hidden = model(x, hidden.detach())
            out.sum().backward()
    """
    # a detach with no backward after it: evaluation only
    sampled = DCGAN.replace(".backward()", "")
    # fakes sampled under no_grad and only summarised, never fed to the critic
    shown = NO_GRAD.replace("critic_loss = critic(fake).mean()", "critic_loss = fake.mean()")
    # a detached target for a loss (a Q-learning target): the loss is no second model
    target = """
    import torch.nn as nn
    def update(q_net, target_net, batch, optimizer):
        criterion = nn.SmoothL1Loss()
        target = target_net(batch.next_state).detach()
        loss = criterion(q_net(batch.state), target)
        loss.backward()
        optimizer.step()
    """
    for source in (rnn, sampled, shown, target):
        assert mutate("gan-fake-not-detached", source) == [], source


def test_gradients_elsewhere_counts_what_other_models_received():
    check = get_class("gan-fake-not-detached").detect
    step = {"phase": "train", "lr": [0.1], "grad": 1.0, "missing": [], "cleared": []}
    ref = obs(steps=[{**step, "others": []}, {**step, "others": ["d.weight"]}])
    same = obs(steps=[{**step, "others": []}, {**step, "others": ["critic.weight"]}])  # renamed: counts match
    leaked = obs(steps=[{**step, "others": ["g.bias", "g.weight"]}, {**step, "others": ["d.weight"]}])
    assert check(ref, same) is None
    message = check(ref, leaked)
    assert message.startswith("before optimizer step 1 (in train) backward() has put gradients into 2 parameter")
    assert "(g.bias and more)" in message and "into 0" in message
    assert check(obs(steps=[step]), obs(steps=[step])) is None  # observations without the field


def test_sites_in_the_clean_programs():
    assert sites_in("advanced/gan", "gan-fake-not-detached") == 1
    assert sites_in("models/conditional_gan", "gan-fake-not-detached") == 1
