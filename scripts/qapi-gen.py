#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate C code and the QMP reference from the QAPI schema.

Usage: qapi-gen.py [-o DIR] [-p PREFIX] [-b] [-D SYMBOL]... SCHEMA.json
See docs/qapi-code-gen.md.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from qapi.main import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
