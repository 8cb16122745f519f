"""Build the compiled rule engine in place: ``python -m kvitt.einvoice.rules.compiled.build``.

Needs Cython and a C++ compiler; lxml's wheel brings the libxml2 headers. Without it the
Python engine runs (same findings, slower)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]


def main(names: list[str]) -> int:
    try:
        import lxml
        from Cython.Build import cythonize
        from setuptools import Extension, setup
    except ImportError as exc:
        print(f"compiled rule engine not built: {exc}")
        return 1
    # Build one module at a time (python -m ...build vat_rules) so that several can be worked on.
    modules = [HERE / f"{name}.pyx" for name in names] if names else sorted(HERE.glob("*.pyx"))
    extensions = [
        Extension(
            "kvitt.einvoice.rules.compiled." + path.stem,
            [str(path.relative_to(ROOT))],
            include_dirs=lxml.get_include(),
            language="c++",
            extra_compile_args=["-O2", "-w"],
        )
        for path in modules
    ]
    work = ROOT / "build" / "compiled-rules" / ("-".join(names) or "all")
    setup(
        name="kvitt-compiled-rules",
        ext_modules=cythonize(extensions, compiler_directives={"language_level": 3, "annotation_typing": False},
                              include_path=[str(ROOT)] + lxml.get_include(), quiet=True),
        script_args=["build_ext", "--build-temp", str(work / "temp"), "--build-lib", str(work / "lib")],
    )
    # Moved into place by rename: a running process keeps the old file it has mapped.
    for built in (work / "lib" / "kvitt" / "einvoice" / "rules" / "compiled").glob("*.so"):
        os.replace(built, HERE / built.name)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
