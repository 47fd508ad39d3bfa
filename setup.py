# Copyright (c) mmrsod contributors. All rights reserved.
"""Install mmrsod. Run ``bash tools/setup_env.sh`` for the whole stack.

mmcv 2.1.0 is deliberately not an install requirement: it has no prebuilt
wheel for torch > 2.1 and must be compiled with ops against the installed
torch, which ``tools/setup_env.sh`` does (and caches) before installing this
package.
"""
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def readme() -> str:
    with open(osp.join(HERE, 'README.md'), encoding='utf-8') as f:
        return f.read()


def get_version() -> str:
    with open(osp.join(HERE, 'mmrsod', 'version.py'), encoding='utf-8') as f:
        match = re.search(r"__version__ = '([^']+)'", f.read())
    assert match is not None
    return match.group(1)


def parse_requirements(name: str) -> list:
    """Read ``requirements/<name>.txt``, skipping comments and blanks."""
    path = osp.join(HERE, 'requirements', f'{name}.txt')
    with open(path, encoding='utf-8') as f:
        lines = [line.split('#', 1)[0].strip() for line in f]
    return [line for line in lines if line]


setup(
    name='mmrsod',
    version=get_version(),
    description='Remote-sensing salient object detection, detection and '
    'distillation methods for OpenMMLab (SRAL, SDCoNet, IFKD)',
    long_description=readme(),
    long_description_content_type='text/markdown',
    author='mmrsod contributors',
    license='Apache License 2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'demo')),
    include_package_data=True,
    python_requires='>=3.8',
    install_requires=parse_requirements('runtime'),
    extras_require={
        'tests': parse_requirements('tests'),
        'build': parse_requirements('build'),
        'mim': parse_requirements('mminstall'),
    },
    classifiers=[
        'Programming Language :: Python :: 3',
        'License :: OSI Approved :: Apache Software License',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
    zip_safe=False)
