"""Build hook for the one C extension, ``linkspider._dom`` (see linkspider/_dom.c).

The extension is optional: without a C compiler the package installs anyway and
linkspider.dom walks the tree in Python (same results, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "linkspider._dom",
            ["linkspider/_dom.c"],
            optional=True,
            extra_compile_args=["-O3", "-std=c99", "-Wall"],
        )
    ]
)
