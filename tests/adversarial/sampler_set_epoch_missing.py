from adversarial import fake, fix

P, FORM = "expert/distributed", "set_epoch() removed"
LOOP = "    for epoch in range(epochs):\n        model.train()\n"
NEW = "    for epoch in range(epochs):\n{}        model.train()\n"
REDUCE = "        dist.all_reduce(total)"

CASES = [
    fake("set_epoch(0): a call is there, but every epoch repeats the first order",
         P, FORM, (LOOP, NEW.format("        sampler.set_epoch(0)\n"))),
    fake("set_epoch(epoch + 1): a new order every epoch, but not the reference's",
         P, FORM, (LOOP, NEW.format("        sampler.set_epoch(epoch + 1)\n"))),
    fake("only rank 0 sets the epoch: the ranks shuffle differently and their shards overlap",
         P, FORM, (LOOP, NEW.format("        if rank == 0:\n            sampler.set_epoch(epoch)\n"))),
    fix("through the loader: loader.sampler is the same sampler",
        P, FORM, (LOOP, NEW.format("        loader.sampler.set_epoch(epoch)\n"))),
    fix("sets the next epoch at the end of each epoch: epoch 0 is the sampler's default",
        P, FORM, (REDUCE, "        sampler.set_epoch(epoch + 1)\n" + REDUCE)),
    fix("assigns sampler.epoch directly, which is all set_epoch() does",
        P, FORM, (LOOP, NEW.format("        sampler.epoch = epoch\n"))),
]
