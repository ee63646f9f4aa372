"""``python -m standin_policy build POLICY.py -o POLICY.wasm``: see ``build``."""

import sys

from .build import main

sys.exit(main(sys.argv[1:]))
