from adversarial import fake, fix

P, FORM = "transformers/rnn_language_model", "state detach removed"
CALL = "            logits, hidden = model(inputs[:, start:start + bptt], hidden)\n"
STEP = "            optimizer.step()\n"

CASES = [
    fake("retain_graph=True: no error, but each backward() runs through every earlier chunk",
         P, FORM, ("            loss.backward()\n", "            loss.backward(retain_graph=True)\n")),
    fake("clones the state instead of detaching it: a copy keeps the graph",
         P, FORM, (CALL, "            hidden = hidden.clone()\n" + CALL)),
    fake("detaches the fresh state at the start of the epoch only",
         P, FORM, ("        hidden = model.init_hidden(inputs.size(0))\n",
                   "        hidden = model.init_hidden(inputs.size(0)).detach()\n")),
    fix("detaches the state as it goes into the model",
        P, FORM, (CALL, CALL.replace(", hidden)", ", hidden.detach())"))),
    fix("detaches the new state right after the step, ready for the next chunk",
        P, FORM, (STEP, STEP + "            hidden = hidden.detach()\n")),
]
