from adversarial import fake, fix

P, BATCH, MODEL = "training/classification_loop", "batch not moved", "model not moved"
MOVE = "batch_x, batch_y = batch_x, batch_y.to(device)"
MAKE_MODEL = "model = MLP(6, 16, 3)\n"
CUDA = 'device = torch.device("cuda" if torch.cuda.is_available() else "cpu")'
STEP_BODY = ("            optimizer.zero_grad()\n            logits = model(batch_x)\n"
             "            loss = criterion(logits, batch_y)\n            loss.backward()\n"
             "            optimizer.step()\n            total += loss.item() * batch_x.size(0)\n")
FLOW, CREATED = "diffusion/flow_matching", "tensor created without device="
T = "t = torch.rand(x1.size(0), 1)  # make the tensor\n"

CASES = [
    fake("trains on the CPU: the device mismatch is gone because nothing is on the GPU any more",
         P, BATCH, (CUDA, 'device = torch.device("cpu")')),
    fake("removes every move: the model and the batches all stay on the CPU", P, MODEL,
         ("batch_x, batch_y = batch_x.to(device), batch_y.to(device)", "batch_x, batch_y = batch_x, batch_y")),
    fake("calls batch_x.to(device) without keeping the moved copy", P, BATCH,
         (MOVE, "batch_x.to(device)\n            batch_y = batch_y.to(device)")),
    fake("skips every batch that raises: no error, and no training", P, BATCH,
         (STEP_BODY, "            try:\n" + "".join("    " + line + "\n" for line in STEP_BODY.splitlines())
          + "            except RuntimeError:\n                continue\n")),
    fake("draws one time for the whole batch, on the right device, broadcast to every pair", FLOW, CREATED,
         (T, "t = torch.rand(1, 1, device=device).expand(x1.size(0), 1)\n")),
    fix("moves the batch where the model is called", P, BATCH,
        ("logits = model(batch_x)", "logits = model(batch_x.to(device))")),
    fix("moves the inputs to wherever the labels went", P, BATCH,
        (MOVE, "batch_y = batch_y.to(device)\n            batch_x = batch_x.to(batch_y.device)")),
    fix("moves the model in place on its own line (Module.to moves the parameters in place)", P, MODEL,
        (MAKE_MODEL, "model = MLP(6, 16, 3)\n    model.to(device)\n")),
    fix("rand_like of a (N, 1) slice of the batch: same draws, same device", FLOW, CREATED,
        (T, "t = torch.rand_like(x1[:, :1])\n")),
    fix("creates the times on the batch's device", FLOW, CREATED,
        (T, "t = torch.rand(x1.size(0), 1, device=x1.device)\n")),
]
