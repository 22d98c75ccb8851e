"""On a machine with a real GPU: the device and mixed-precision kill matrix gives the same verdicts
natively on CUDA as under the virtual device. Skipped where there is no GPU.

    python -m pytest -m gpu tests/test_gpu_agreement.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from bughunt.bug_catalog import all_classes
from bughunt.selfcheck import kill_matrix

DEVICE_BUGS = tuple(b.id for b in all_classes() if b.id == "device-mismatch" or b.id.startswith("amp-"))


def has_cuda() -> bool:
    if shutil.which("nvidia-smi") is None:
        return False
    probe = subprocess.run([sys.executable, "-c", "import torch; print(torch.cuda.is_available())"],
                           capture_output=True, text=True)
    return probe.stdout.strip() == "True"


@pytest.mark.gpu
@pytest.mark.skipif(not has_cuda(), reason="needs a CUDA GPU")
def test_native_cuda_agrees_with_the_virtual_device(monkeypatch):
    virtual = kill_matrix(bugs=DEVICE_BUGS)
    monkeypatch.setenv("BUGHUNT_DEVICE", "native")
    native = kill_matrix(bugs=DEVICE_BUGS)
    assert native.false_alarms == virtual.false_alarms == ()
    verdicts = {(r.program, r.mutant.bug, r.mutant.site, r.mutant.form): r.killed for r in virtual.rows}
    native_verdicts = {(r.program, r.mutant.bug, r.mutant.site, r.mutant.form): r.killed for r in native.rows}
    disagreements = {k: (verdicts[k], native_verdicts.get(k)) for k in verdicts if verdicts[k] != native_verdicts.get(k)}
    print(f"\n{len(verdicts)} device and mixed-precision mutants, {len(disagreements)} disagreements")
    assert disagreements == {}
