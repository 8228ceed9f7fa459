"""``import minidl`` stays light: heavy or optional libraries are imported on first use."""
import os
import subprocess
import sys

import pytest

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# h5py: only minidl.save/load need it; numba: only the cpu kernels; matplotlib and PIL:
# only plots and image files; torch: a test and benchmark reference, never used by minidl.
LAZY_MODULES = ["h5py", "numba", "matplotlib", "PIL", "torch"]


@pytest.fixture(scope="module")
def modules_after_import_minidl():
    """The top-level module names loaded by a fresh ``python -c "import minidl"``."""
    script = "import minidl, sys; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    result = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY,
                            capture_output=True, text=True, check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize("name", LAZY_MODULES)
def test_import_minidl_does_not_import(name, modules_after_import_minidl):
    assert "minidl" in modules_after_import_minidl
    assert name not in modules_after_import_minidl, (
        f"`import minidl` imported {name}; import it inside the function that needs it")
