"""Contract tests between the services: their helpers live in ``contract_kit``."""

from __future__ import annotations

import sys
from pathlib import Path

# Test modules import the kit by name (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).resolve().parent))
