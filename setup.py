"""Build hook for linkspider's two optional C extensions.

- ``linkspider._dom`` (linkspider/_dom.c): one walk of the Lexbor tree selectolax parsed,
  and the extraction's other per-page loops (markup bounds, visible text, topic terms, tag
  positions, the substring search of class/id names, the reading of an element's names when
  they were read before, the main block's text blocks, link density sums and attempts, and
  each link's region decision).
- ``linkspider._ada`` (linkspider/_ada.cpp): every href of a page resolved in one call by
  ada (its base parsed once per page), compiled from the ada sources vendored in
  linkspider/_vendor/ada (needs a C++20 compiler).

Both are optional: without a compiler the package installs anyway and linkspider uses
its pure-Python paths (same results, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "linkspider._dom",
            ["linkspider/_dom.c"],
            optional=True,
            extra_compile_args=["-O3", "-std=gnu11", "-Wall"],
        ),
        Extension(
            "linkspider._ada",
            ["linkspider/_ada.cpp", "linkspider/_vendor/ada/ada.cpp"],
            include_dirs=["linkspider/_vendor/ada"],
            define_macros=[("ADA_INCLUDE_URL_PATTERN", "0")],
            language="c++",
            optional=True,
            extra_compile_args=["-O2", "-std=c++20"],
        ),
    ]
)
